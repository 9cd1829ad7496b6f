"""Drives the Wycheproof vectors through libkms-pkcs11.so (PyKCS11).

Keys come into the token with C_CreateObject as session objects: public keys
stay in the module (verification is local), secret and private keys are
imported into kmsd's key ring (which must allow import) and destroyed when
the session closes. Every vector's expected result must be matched:

  valid      the operation succeeds with the expected output
  invalid    the operation is refused (or its output differs)
  acceptable either

A vector the module's profile cannot express (a key size or mechanism kmsd
does not offer) is counted as "outside the profile" with the reason; one
refused by a documented policy (GCM IVs over 128 bytes) as "policy". Any
other disagreement is a failure. Prints one line per file and exits 1 on a
failure.

Environment: KMS_MODULE, KMS_USER_PIN, WYCHEPROOF_DIR, WYCHEPROOF_ONLY (a
substring of the file names to run).
"""

import json
import os
import sys

import PyKCS11
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric import utils as asym_utils

P = PyKCS11

CKM_SHA = {
    "SHA-1": (P.CKM_SHA_1, P.CKG_MGF1_SHA1),
    "SHA-224": (P.CKM_SHA224, P.CKG_MGF1_SHA224),
    "SHA-256": (P.CKM_SHA256, P.CKG_MGF1_SHA256),
    "SHA-384": (P.CKM_SHA384, P.CKG_MGF1_SHA384),
    "SHA-512": (P.CKM_SHA512, P.CKG_MGF1_SHA512),
}
ECDSA_MECH = {
    "SHA-256": P.CKM_ECDSA_SHA256,
    "SHA-384": P.CKM_ECDSA_SHA384,
    "SHA-512": P.CKM_ECDSA_SHA512,
}
RSA_PKCS_MECH = {
    "SHA-1": P.CKM_SHA1_RSA_PKCS,
    "SHA-224": P.CKM_SHA224_RSA_PKCS,
    "SHA-256": P.CKM_SHA256_RSA_PKCS,
    "SHA-384": P.CKM_SHA384_RSA_PKCS,
    "SHA-512": P.CKM_SHA512_RSA_PKCS,
}
RSA_PSS_MECH = {
    "SHA-1": P.CKM_SHA1_RSA_PKCS_PSS,
    "SHA-224": P.CKM_SHA224_RSA_PKCS_PSS,
    "SHA-256": P.CKM_SHA256_RSA_PKCS_PSS,
    "SHA-384": P.CKM_SHA384_RSA_PKCS_PSS,
    "SHA-512": P.CKM_SHA512_RSA_PKCS_PSS,
}
# DER OBJECT IDENTIFIERs (CKA_EC_PARAMS).
CURVE_OID = {
    "secp256r1": bytes.fromhex("06082a8648ce3d030107"),
    "secp384r1": bytes.fromhex("06052b81040022"),
}
CURVE_BYTES = {"secp256r1": 32, "secp384r1": 48}
ED25519_OID = bytes.fromhex("06032b6570")
RSA_SIZES = (2048, 3072, 4096)


class Outside(Exception):
    """The vector cannot be expressed in the module's profile."""


class Tally:
    def __init__(self):
        self.passed = 0
        self.policy = 0
        self.outside = 0
        self.failed = 0
        self.reasons = {}
        self.failures = []

    def note(self, kind, reason):
        self.reasons[(kind, reason)] = self.reasons.get((kind, reason), 0) + 1


def der_octet_string(content):
    n = len(content)
    if n < 0x80:
        header = bytes([0x04, n])
    elif n < 0x100:
        header = bytes([0x04, 0x81, n])
    else:
        header = bytes([0x04, 0x82, n >> 8, n & 0xFF])
    return header + content


def matches(ok, expected):
    """True when an operation's verdict matches the vector's result."""
    if expected == "acceptable":
        return True
    return ok == (expected == "valid")


class Runner:
    def __init__(self, session):
        self.session = session
        self.keys = {}

    def cached(self, key, create):
        if key not in self.keys:
            self.keys[key] = create()
        return self.keys[key]

    # ---- key objects (C_CreateObject) ----------------------------------
    def ec_public(self, curve, uncompressed):
        if curve not in CURVE_OID:
            raise Outside("curve " + curve)
        return self.cached(("ec", curve, uncompressed), lambda: self.session.createObject([
            (P.CKA_CLASS, P.CKO_PUBLIC_KEY), (P.CKA_KEY_TYPE, P.CKK_EC),
            (P.CKA_TOKEN, False), (P.CKA_VERIFY, True),
            (P.CKA_EC_PARAMS, CURVE_OID[curve]),
            (P.CKA_EC_POINT, der_octet_string(bytes.fromhex(uncompressed))),
        ]))

    def ed25519_public(self, pk):
        return self.cached(("ed", pk), lambda: self.session.createObject([
            (P.CKA_CLASS, P.CKO_PUBLIC_KEY), (P.CKA_KEY_TYPE, P.CKK_EC_EDWARDS),
            (P.CKA_TOKEN, False), (P.CKA_VERIFY, True),
            (P.CKA_EC_PARAMS, ED25519_OID),
            (P.CKA_EC_POINT, der_octet_string(bytes.fromhex(pk))),
        ]))

    def rsa_public(self, der_hex):
        key = serialization.load_der_public_key(bytes.fromhex(der_hex))
        numbers = key.public_numbers()
        if key.key_size not in RSA_SIZES:
            raise Outside("RSA-%d" % key.key_size)
        return self.cached(("rsa", der_hex), lambda: self.session.createObject([
            (P.CKA_CLASS, P.CKO_PUBLIC_KEY), (P.CKA_KEY_TYPE, P.CKK_RSA),
            (P.CKA_TOKEN, False), (P.CKA_VERIFY, True),
            (P.CKA_MODULUS, to_bytes(numbers.n)),
            (P.CKA_PUBLIC_EXPONENT, to_bytes(numbers.e)),
        ]))

    def rsa_private(self, key, usage=P.CKA_DECRYPT):
        n = int(key["modulus"], 16)
        if n.bit_length() not in RSA_SIZES:
            raise Outside("RSA-%d" % n.bit_length())
        fields = [(P.CKA_MODULUS, "modulus"), (P.CKA_PUBLIC_EXPONENT, "publicExponent"),
                  (P.CKA_PRIVATE_EXPONENT, "privateExponent"),
                  (P.CKA_PRIME_1, "prime1"), (P.CKA_PRIME_2, "prime2"),
                  (P.CKA_EXPONENT_1, "exponent1"), (P.CKA_EXPONENT_2, "exponent2"),
                  (P.CKA_COEFFICIENT, "coefficient")]
        template = [(P.CKA_CLASS, P.CKO_PRIVATE_KEY), (P.CKA_KEY_TYPE, P.CKK_RSA),
                    (P.CKA_TOKEN, False), (usage, True),
                    (P.CKA_SENSITIVE, True)]
        values = {f: int(key[f], 16) for _, f in fields if f in key}
        if "prime1" not in values:
            # Some vectors give n, e, d only; a PKCS#11 private key object
            # carries the CRT values too.
            e, d = values["publicExponent"], values["privateExponent"]
            p, q = rsa.rsa_recover_prime_factors(n, e, d)
            values.update(prime1=p, prime2=q, exponent1=rsa.rsa_crt_dmp1(d, p),
                          exponent2=rsa.rsa_crt_dmq1(d, q),
                          coefficient=rsa.rsa_crt_iqmp(p, q))
        template += [(a, to_bytes(values[f])) for a, f in fields]
        return self.cached(("rsa-priv", usage, key["modulus"]),
                           lambda: self.session.createObject(template))

    def secret(self, key_type, value, usages):
        template = [(P.CKA_CLASS, P.CKO_SECRET_KEY), (P.CKA_KEY_TYPE, key_type),
                    (P.CKA_TOKEN, False), (P.CKA_VALUE, value),
                    (P.CKA_SENSITIVE, True)]
        template += [(u, True) for u in usages]
        return self.cached(("secret", key_type, value),
                           lambda: self.session.createObject(template))

    # ---- operations ------------------------------------------------------
    # PyKCS11's single-part calls refuse empty input before reaching the
    # module (CKR_ARGUMENTS_BAD), so an empty message goes through the
    # multi-part calls with no update, which the standard allows.
    def call(self, rv):
        if rv != P.CKR_OK:
            raise P.PyKCS11Error(rv)

    def sign(self, key, mechanism, data):
        if data:
            return bytes(self.session.sign(key, data, mechanism))
        lib, handle = self.session.lib, self.session.session
        self.call(lib.C_SignInit(handle, mechanism.to_native(), key))
        out = P.ckbytelist()
        self.call(lib.C_SignFinal(handle, out))  # the length
        self.call(lib.C_SignFinal(handle, out))
        return bytes(out)

    def verify(self, key, mechanism, data, signature):
        """True/False for a verdict; raises on anything but a refusal."""
        if not signature:
            return False  # PyKCS11 cannot pass an empty signature on
        lib, handle = self.session.lib, self.session.session
        self.call(lib.C_VerifyInit(handle, mechanism.to_native(), key))
        if data:
            rv = lib.C_Verify(handle, P.ckbytelist(data), P.ckbytelist(signature))
        else:
            rv = lib.C_VerifyFinal(handle, P.ckbytelist(signature))
        if rv in (P.CKR_SIGNATURE_INVALID, P.CKR_SIGNATURE_LEN_RANGE):
            return False
        self.call(rv)
        return True

    def cipher(self, encrypt, key, mechanism, data):
        """C_Encrypt / C_Decrypt with the two-call length query. The real
        call gets a buffer of at least one byte: PyKCS11 passes an empty one
        as NULL, which would be another length query."""
        lib, handle = self.session.lib, self.session.session
        init = lib.C_EncryptInit if encrypt else lib.C_DecryptInit
        self.call(init(handle, mechanism.to_native(), key))
        out = P.ckbytelist()
        if data:
            single = lib.C_Encrypt if encrypt else lib.C_Decrypt
            call = lambda buffer: single(handle, P.ckbytelist(data), buffer)
        else:
            final = lib.C_EncryptFinal if encrypt else lib.C_DecryptFinal
            call = lambda buffer: final(handle, buffer)
        self.call(call(out))  # the length
        if len(out) == 0:
            out = P.ckbytelist([0])
            self.call(call(out))
            return bytes(out)
        self.call(call(out))
        return bytes(out)


def to_bytes(number):
    return number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")


def p1363_from_der(der, size):
    """Strict DER ECDSA-Sig-Value -> r||s, or None if not exactly DER."""
    try:
        r, s = asym_utils.decode_dss_signature(der)
    except ValueError:
        return None
    if asym_utils.encode_dss_signature(r, s) != der:
        return None
    if r.bit_length() > size * 8 or s.bit_length() > size * 8 or r < 0 or s < 0:
        return None
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


# ---- per-schema handlers: return True/False (the verdict) or raise --------
def ecdsa(runner, group, test, p1363):
    curve = group["publicKey"]["curve"]
    if curve not in CURVE_OID:
        raise Outside("curve " + curve)
    key = runner.ec_public(curve, group["publicKey"]["uncompressed"])
    sig = bytes.fromhex(test["sig"])
    if not p1363:
        sig = p1363_from_der(sig, CURVE_BYTES[curve])
        if sig is None:
            return False  # not DER: an application cannot pass it on
    if group["sha"] not in ECDSA_MECH:
        raise Outside("ECDSA with " + group["sha"])
    return runner.verify(key, P.Mechanism(ECDSA_MECH[group["sha"]]),
                         bytes.fromhex(test["msg"]), sig)


def rsa_pkcs1(runner, group, test):
    key = runner.rsa_public(group["publicKeyDer"])
    return runner.verify(key, P.Mechanism(RSA_PKCS_MECH[group["sha"]]),
                         bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))


def rsa_pkcs1_sign(runner, group, test):
    """PKCS#1 v1.5 is deterministic: kmsd's signature must be the vector's."""
    key = runner.rsa_private(group["privateKey"], P.CKA_SIGN)
    mechanism = P.Mechanism(RSA_PKCS_MECH[group["sha"]])
    msg = bytes.fromhex(test["msg"])
    signature = runner.sign(key, mechanism, msg)
    public = runner.rsa_public(group["keyDer"])
    if not runner.verify(public, mechanism, msg, signature):
        raise RuntimeError("the module's own signature does not verify")
    return signature == bytes.fromhex(test["sig"])


def rsa_pss(runner, group, test):
    key = runner.rsa_public(group["publicKeyDer"])
    if group["mgf"] != "MGF1":
        raise Outside("mask generation " + group["mgf"])
    hash_mech = CKM_SHA[group["sha"]][0]
    mgf = CKM_SHA[group["mgfSha"]][1]
    mechanism = P.RSA_PSS_Mechanism(RSA_PSS_MECH[group["sha"]], hash_mech, mgf,
                                    group["sLen"])
    return runner.verify(key, mechanism, bytes.fromhex(test["msg"]),
                         bytes.fromhex(test["sig"]))


def eddsa(runner, group, test):
    key = runner.ed25519_public(group["publicKey"]["pk"])
    return runner.verify(key, P.Mechanism(P.CKM_EDDSA),
                         bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"]))


GCM_MAX_IV = 128  # bytes: kmsd's documented limit


def aes_gcm(runner, group, test):
    key_bytes = bytes.fromhex(test["key"])
    if len(key_bytes) not in (16, 32):
        raise Outside("AES-%d" % (len(key_bytes) * 8))
    iv = bytes.fromhex(test["iv"])
    if len(iv) > GCM_MAX_IV:
        raise PolicyRefusal("GCM IV over %d bytes" % GCM_MAX_IV)
    key = runner.secret(P.CKK_AES, key_bytes, (P.CKA_ENCRYPT, P.CKA_DECRYPT))
    aad = bytes.fromhex(test["aad"])
    msg = bytes.fromhex(test["msg"])
    sealed = bytes.fromhex(test["ct"] + test["tag"])
    mechanism = P.AES_GCM_Mechanism(iv, aad, group["tagSize"])
    try:
        opened = runner.cipher(False, key, mechanism, sealed)
        decrypt_ok = opened == msg
    except P.PyKCS11Error as e:
        if e.value not in (P.CKR_ENCRYPTED_DATA_INVALID, P.CKR_MECHANISM_PARAM_INVALID,
                           P.CKR_ENCRYPTED_DATA_LEN_RANGE):
            raise
        decrypt_ok = False
    try:
        produced = runner.cipher(True, key, mechanism, msg)
        encrypt_ok = produced == sealed
    except P.PyKCS11Error as e:
        if e.value != P.CKR_MECHANISM_PARAM_INVALID:
            raise
        encrypt_ok = False
    if test["result"] == "valid":
        return decrypt_ok and encrypt_ok
    # An invalid vector (a modified tag, an empty IV) must not decrypt; its
    # encryption, where allowed, simply produces something else.
    return decrypt_ok


def rsa_oaep(runner, group, test):
    if group["mgf"] != "MGF1":
        raise Outside("mask generation " + group["mgf"])
    key = runner.rsa_private(group["privateKey"])
    label = bytes.fromhex(test["label"])
    mechanism = P.RSAOAEPMechanism(CKM_SHA[group["sha"]][0],
                                   CKM_SHA[group["mgfSha"]][1],
                                   label if label else None)
    try:
        out = runner.cipher(False, key, mechanism, bytes.fromhex(test["ct"]))
    except P.PyKCS11Error as e:
        if e.value in (P.CKR_ENCRYPTED_DATA_INVALID, P.CKR_ENCRYPTED_DATA_LEN_RANGE):
            return False
        raise
    return out == bytes.fromhex(test["msg"])


def hmac_sha256(runner, group, test):
    key_bytes = bytes.fromhex(test["key"])
    if len(key_bytes) != 32:
        raise Outside("HMAC keys of %d bytes (kmsd: 32)" % len(key_bytes))
    key = runner.secret(P.CKK_GENERIC_SECRET, key_bytes, (P.CKA_SIGN, P.CKA_VERIFY))
    msg = bytes.fromhex(test["msg"])
    tag = bytes.fromhex(test["tag"])
    mac = runner.sign(key, P.Mechanism(P.CKM_SHA256_HMAC), msg)
    if group["tagSize"] == 256:
        verdict = runner.verify(key, P.Mechanism(P.CKM_SHA256_HMAC), msg, tag)
        if verdict != (mac == tag):
            raise RuntimeError("C_Verify and C_Sign disagree")
        return verdict
    # Truncated tags (CKM_SHA256_HMAC_GENERAL is not offered): our full MAC's
    # prefix must equal a valid tag and differ from an invalid one.
    return len(tag) * 8 == group["tagSize"] and mac.startswith(tag)


UNWRAP_REFUSALS = (P.CKR_WRAPPED_KEY_INVALID, P.CKR_WRAPPED_KEY_LEN_RANGE,
                   P.CKR_KEY_SIZE_RANGE, P.CKR_ATTRIBUTE_VALUE_INVALID,
                   P.CKR_TEMPLATE_INCONSISTENT)


def aes_key_wrap(runner, group, test, mechanism_type):
    """C_UnwrapKey of the vector's ciphertext into an extractable AES key;
    a valid vector's key is wrapped again with C_WrapKey, which must give
    the same bytes (both schemes are deterministic)."""
    kek = bytes.fromhex(test["key"])
    if len(kek) not in (16, 32):
        raise Outside("AES-%d key-encryption keys" % (len(kek) * 8))
    msg = bytes.fromhex(test["msg"])
    if test["result"] != "invalid" and len(msg) not in (16, 32):
        raise Outside("wrapped keys of %d bytes (kmsd keys: AES-128/256)" % len(msg))
    wrapping = runner.secret(P.CKK_AES, kek, (P.CKA_WRAP, P.CKA_UNWRAP))
    mechanism = P.Mechanism(mechanism_type)
    template = [(P.CKA_CLASS, P.CKO_SECRET_KEY), (P.CKA_KEY_TYPE, P.CKK_AES),
                (P.CKA_TOKEN, False), (P.CKA_EXTRACTABLE, True),
                (P.CKA_SENSITIVE, True), (P.CKA_ENCRYPT, True)]
    ct = bytes.fromhex(test["ct"])
    if not ct:
        return False  # PyKCS11 cannot pass an empty wrapped key on
    try:
        unwrapped = runner.session.unwrapKey(wrapping, ct, template, mechanism)
    except P.PyKCS11Error as e:
        if e.value in UNWRAP_REFUSALS:
            return False
        raise
    try:
        again = bytes(runner.session.wrapKey(wrapping, unwrapped, mechanism))
    finally:
        runner.session.destroyObject(unwrapped)
    return again == ct


class PolicyRefusal(Exception):
    """Refused before the call by a documented limit."""


def handler_for(name, schema):
    if schema == "ecdsa_p1363_verify_schema_v1.json":
        return lambda r, g, t: ecdsa(r, g, t, True)
    if schema == "ecdsa_verify_schema_v1.json":
        return lambda r, g, t: ecdsa(r, g, t, False)
    if schema == "rsassa_pkcs1_verify_schema_v1.json":
        return rsa_pkcs1
    if schema == "rsassa_pkcs1_generate_schema_v1.json":
        return rsa_pkcs1_sign
    if schema == "rsassa_pss_verify_schema_v1.json":
        return rsa_pss
    if schema == "eddsa_verify_schema_v1.json":
        return eddsa
    if schema == "aead_test_schema_v1.json" and name.startswith("aes_gcm"):
        return aes_gcm
    if schema == "keywrap_test_schema_v1.json":
        mechanism = (P.CKM_AES_KEY_WRAP_PAD if name.startswith("aes_kwp")
                     else P.CKM_AES_KEY_WRAP)
        return lambda r, g, t: aes_key_wrap(r, g, t, mechanism)
    if schema == "rsaes_oaep_decrypt_schema_v1.json":
        return rsa_oaep
    if schema == "mac_test_schema_v1.json":
        if name.startswith("hmac_sha256"):
            return hmac_sha256
        return None
    return None


def run_file(session, path):
    name = os.path.basename(path)
    with open(path) as f:
        data = json.load(f)
    tally = Tally()
    handler = handler_for(name, data.get("schema", ""))
    runner = Runner(session)
    total = 0
    for group in data["testGroups"]:
        for test in group["tests"]:
            total += 1
            if handler is None:
                tally.outside += 1
                tally.note("outside", "no such mechanism in the profile")
                continue
            try:
                verdict = handler(runner, group, test)
            except Outside as e:
                tally.outside += 1
                tally.note("outside", str(e))
                continue
            except PolicyRefusal as e:
                tally.policy += 1
                tally.note("policy", str(e))
                continue
            except P.PyKCS11Error as e:
                tally.failed += 1
                tally.failures.append("tcId %d: %s" % (test["tcId"], e))
                continue
            except RuntimeError as e:
                tally.failed += 1
                tally.failures.append("tcId %d: %s" % (test["tcId"], e))
                continue
            if matches(verdict, test["result"]):
                tally.passed += 1
            else:
                tally.failed += 1
                tally.failures.append("tcId %d: expected %s, module said %s (%s)" % (
                    test["tcId"], test["result"], "valid" if verdict else "invalid",
                    test.get("comment", "")))
    return name, total, tally


def main():
    lib = P.PyKCS11Lib()
    lib.load(os.environ["KMS_MODULE"])
    slot = lib.getSlotList(tokenPresent=True)[0]
    directory = os.environ["WYCHEPROOF_DIR"]
    only = os.environ.get("WYCHEPROOF_ONLY", "")  # substring, for debugging
    files = sorted(f for f in os.listdir(directory)
                   if f.endswith("_test.json") and only in f)
    totals = Tally()
    for f in files:
        # One session per file: its imported keys go when it closes.
        session = lib.openSession(slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION)
        session.login(os.environ["KMS_USER_PIN"])
        try:
            name, total, tally = run_file(session, os.path.join(directory, f))
        finally:
            session.logout()
            session.closeSession()
        line = "%-44s %4d vectors: %4d passed, %3d policy, %3d outside, %d failed" % (
            name, total, tally.passed, tally.policy, tally.outside, tally.failed)
        print(("FAIL " if tally.failed else "PASS ") + line)
        for (kind, reason), count in sorted(tally.reasons.items()):
            print("       %s: %s (%d)" % (kind, reason, count))
        for failure in tally.failures[:10]:
            print("       " + failure)
        totals.passed += tally.passed
        totals.policy += tally.policy
        totals.outside += tally.outside
        totals.failed += tally.failed
    print("vectors: %d passed, %d policy, %d outside the profile, %d failed" % (
        totals.passed, totals.policy, totals.outside, totals.failed))
    files_failed = 1 if totals.failed else 0
    print("wycheproof: %d passed, %d failed" % (totals.passed, totals.failed))
    return files_failed


if __name__ == "__main__":
    sys.exit(main())
