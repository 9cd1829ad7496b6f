/* kms PKCS#11 module: vendor-defined constants (docs/pkcs11.md, "Vendor
 * mechanism"). Plain C so that any application can include it after its
 * own pkcs11.h. */
#ifndef KMS_PKCS11_VENDOR_H_
#define KMS_PKCS11_VENDOR_H_

/* AES-GCM under the key's primary version with a self-describing output, so
 * that ciphertexts still decrypt after the key is rotated.
 *
 * Parameter: pParameter = the additional authenticated data (AAD), or NULL
 * with ulParameterLen = 0 for none; at most 65536 bytes.
 *
 * Ciphertext (34 bytes longer than the plaintext):
 *   offset  0: 1 byte  magic 0x4B ('K')
 *   offset  1: 1 byte  format 0x01
 *   offset  2: 4 bytes key version, big-endian (1, 2, ...)
 *   offset  6: 12 bytes GCM IV (random, chosen by the server)
 *   offset 18: n bytes AES-GCM ciphertext
 *   then      16 bytes GCM tag
 * Header bytes are not covered by the tag; a changed version or IV makes
 * the tag check fail all the same. */
#define CKM_KMS_AES_GCM_ROTATING (CKM_VENDOR_DEFINED | 0x4B4D0001UL)

#define KMS_ROTATING_GCM_MAGIC 0x4B
#define KMS_ROTATING_GCM_FORMAT 0x01
#define KMS_ROTATING_GCM_HEADER_LEN 18
#define KMS_ROTATING_GCM_IV_LEN 12
#define KMS_ROTATING_GCM_TAG_LEN 16

/* PKCS#11 3.0's name for RFC 5649 key wrap, for headers of version 2.40.
 * The module accepts it and CKM_AES_KEY_WRAP_PAD alike (both RFC 5649). */
#ifndef CKM_AES_KEY_WRAP_KWP
#define CKM_AES_KEY_WRAP_KWP 0x0000210BUL
#endif

#endif /* KMS_PKCS11_VENDOR_H_ */
