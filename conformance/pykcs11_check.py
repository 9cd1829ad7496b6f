"""PyKCS11 against libkms-pkcs11.so: signatures with explicit mechanism
parameters, attribute reads, and sensitive attributes refused.

Run by pykcs11.sh with the module path, the PIN and a work directory in the
environment; prints one line per step and "N passed, M failed".
"""
import hashlib
import os
import subprocess
import sys

import PyKCS11
from PyKCS11 import LowLevel

MODULE = os.environ["KMS_MODULE"]
PIN = os.environ["KMS_USER_PIN"]
WORK = os.environ["KMS_WORK"]
DATA = b"pykcs11 conformance data"

passed = 0
failed = 0


def step(name, fn):
    global passed, failed
    try:
        fn()
        passed += 1
        print(f"PASS {name}")
    except Exception as e:  # a step's failure is reported, the run goes on
        failed += 1
        print(f"FAIL {name}: {e!r}")


def openssl_verify(pub_der, sig, opts=()):
    pub = os.path.join(WORK, "py.pub.der")
    sig_file = os.path.join(WORK, "py.sig")
    data_file = os.path.join(WORK, "py.data")
    open(pub, "wb").write(bytes(pub_der))
    open(sig_file, "wb").write(bytes(sig))
    open(data_file, "wb").write(DATA)
    subprocess.run(["openssl", "dgst", "-sha256", "-keyform", "DER", "-verify",
                    pub, *opts, "-signature", sig_file, data_file],
                   check=True, capture_output=True)


def raw_ecdsa_to_der(sig):
    half = len(sig) // 2

    def integer(b):
        b = bytes(b).lstrip(b"\x00") or b"\x00"
        if b[0] & 0x80:
            b = b"\x00" + b
        return b"\x02" + bytes([len(b)]) + b

    body = integer(sig[:half]) + integer(sig[half:])
    return b"\x30" + bytes([len(body)]) + body


lib = PyKCS11.PyKCS11Lib()
lib.load(MODULE)
slot = lib.getSlotList(tokenPresent=True)[0]
session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION | PyKCS11.CKF_RW_SESSION)
session.login(PIN)


def find(label, cls):
    objects = session.findObjects([(PyKCS11.CKA_LABEL, label), (PyKCS11.CKA_CLASS, cls)])
    if len(objects) != 1:
        raise AssertionError(f"{len(objects)} objects labelled {label}")
    return objects[0]


def spki(label):
    pub = find(label, PyKCS11.CKO_PUBLIC_KEY)
    return session.getAttributeValue(pub, [PyKCS11.CKA_PUBLIC_KEY_INFO])[0]


def ecdsa():
    key = find("py-ec", PyKCS11.CKO_PRIVATE_KEY)
    digest = hashlib.sha256(DATA).digest()
    sig = session.sign(key, digest, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None))
    if len(sig) != 64:
        raise AssertionError(f"signature is {len(sig)} bytes, not 64")
    pub = find("py-ec", PyKCS11.CKO_PUBLIC_KEY)
    if not session.verify(pub, digest, sig, PyKCS11.Mechanism(PyKCS11.CKM_ECDSA, None)):
        raise AssertionError("module does not verify its own signature")
    openssl_verify(spki("py-ec"), raw_ecdsa_to_der(sig))


def rsa_pss():
    key = find("py-rsa", PyKCS11.CKO_PRIVATE_KEY)
    mech = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS,
                                     PyKCS11.CKM_SHA256, PyKCS11.CKG_MGF1_SHA256, 32)
    sig = session.sign(key, DATA, mech)
    pub = find("py-rsa", PyKCS11.CKO_PUBLIC_KEY)
    if not session.verify(pub, DATA, sig, mech):
        raise AssertionError("module does not verify its own signature")
    openssl_verify(spki("py-rsa"), sig,
                   ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32"])


def bad_pss_params_refused():
    key = find("py-rsa", PyKCS11.CKO_PRIVATE_KEY)
    mech = PyKCS11.RSA_PSS_Mechanism(PyKCS11.CKM_SHA256_RSA_PKCS_PSS,
                                     PyKCS11.CKM_SHA384, PyKCS11.CKG_MGF1_SHA256, 32)
    try:
        session.sign(key, DATA, mech)
    except PyKCS11.PyKCS11Error as e:
        if e.value == PyKCS11.CKR_MECHANISM_PARAM_INVALID:
            return
        raise
    raise AssertionError("PSS with a hash other than the mechanism's was accepted")


def attributes():
    pub = find("py-rsa", PyKCS11.CKO_PUBLIC_KEY)
    modulus, exponent, bits = session.getAttributeValue(
        pub, [PyKCS11.CKA_MODULUS, PyKCS11.CKA_PUBLIC_EXPONENT, PyKCS11.CKA_MODULUS_BITS])
    if len(modulus) != 256 or bytes(exponent) != b"\x01\x00\x01" or bits != 2048:
        raise AssertionError("RSA public attributes are wrong")
    ec = find("py-ec", PyKCS11.CKO_PUBLIC_KEY)
    params, point = session.getAttributeValue(ec, [PyKCS11.CKA_EC_PARAMS, PyKCS11.CKA_EC_POINT])
    if bytes(params) != bytes.fromhex("06082a8648ce3d030107") or len(point) != 67:
        raise AssertionError("EC public attributes are wrong")
    key = find("py-ec", PyKCS11.CKO_PRIVATE_KEY)
    flags = session.getAttributeValue(key, [PyKCS11.CKA_SENSITIVE, PyKCS11.CKA_EXTRACTABLE,
                                            PyKCS11.CKA_ALWAYS_SENSITIVE,
                                            PyKCS11.CKA_NEVER_EXTRACTABLE])
    if flags != [True, False, True, True]:
        raise AssertionError(f"private key flags are {flags}")


def sensitive_refused():
    for label, attribute in (("py-rsa", PyKCS11.CKA_PRIVATE_EXPONENT),
                             ("py-ec", PyKCS11.CKA_VALUE)):
        key = find(label, PyKCS11.CKO_PRIVATE_KEY)
        template = LowLevel.ckattrlist(1)
        template[0].SetType(attribute)
        rv = lib.lib.C_GetAttributeValue(session.session, key, template)
        if rv != PyKCS11.CKR_ATTRIBUTE_SENSITIVE:
            raise AssertionError(f"{label}: got {PyKCS11.CKR[rv]}")


step("ECDSA P-256 sign (CKM_ECDSA), module and openssl verify", ecdsa)
step("RSA-PSS with explicit parameters, module and openssl verify", rsa_pss)
step("RSA-PSS with a mismatched hash refused", bad_pss_params_refused)
step("public key attributes and private key flags", attributes)
step("sensitive attributes refused with CKR_ATTRIBUTE_SENSITIVE", sensitive_refused)

session.logout()
session.closeSession()
print(f"pykcs11: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
