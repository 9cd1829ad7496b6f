#!/usr/bin/python3
"""Times what an application pays to start with a PKCS#11 module:
C_Initialize (load), C_Login, and one find-by-label, and the memory the
module adds to the process. Prints one JSON object. Used by bench/scale.

usage: scale_probe.py MODULE TOKEN_LABEL KEY_LABEL   (PIN in $KMS_USER_PIN)
"""
import json
import os
import sys
import time

import PyKCS11


def vm_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    module, token_label, key_label = sys.argv[1:4]
    pin = os.environ["KMS_USER_PIN"]
    out = {"rss_before_kib": vm_rss_kib()}
    lib = PyKCS11.PyKCS11Lib()
    started = time.perf_counter()
    lib.load(module)  # C_GetFunctionList + C_Initialize
    loaded = time.perf_counter()
    out["rss_loaded_kib"] = vm_rss_kib()
    slot = None
    for candidate in lib.getSlotList(tokenPresent=True):
        if lib.getTokenInfo(candidate).label.strip() == token_label:
            slot = candidate
            break
    if slot is None:
        print(json.dumps({"error": "no token labelled " + token_label}))
        return 2
    session = lib.openSession(slot, PyKCS11.CKF_SERIAL_SESSION)
    session.login(pin)
    logged_in = time.perf_counter()
    found = session.findObjects([
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
        (PyKCS11.CKA_LABEL, key_label),
    ])
    done = time.perf_counter()
    out.update({
        "initialize_ms": (loaded - started) * 1e3,
        "login_ms": (logged_in - loaded) * 1e3,
        "find_ms": (done - logged_in) * 1e3,
        "total_ms": (done - started) * 1e3,
        "found": len(found),
        "rss_after_kib": vm_rss_kib(),
    })
    # A second find, as an application's steady state sees it.
    again = time.perf_counter()
    session.findObjects([
        (PyKCS11.CKA_CLASS, PyKCS11.CKO_PRIVATE_KEY),
        (PyKCS11.CKA_LABEL, key_label),
    ])
    out["find_again_ms"] = (time.perf_counter() - again) * 1e3
    session.logout()
    session.closeSession()
    print(json.dumps(out))
    return 0 if len(found) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
