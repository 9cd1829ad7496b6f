// Java 17's SunPKCS11 provider against libkms-pkcs11.so: a PKCS11 KeyStore
// over the token, signatures made in the token and verified by Java's own
// providers (SunRsaSign, SunEC), AES-GCM through the token, and an EC key
// pair generated through the provider.
//
// Run by conformance/java.sh: args are the SunPKCS11 config file and the work
// directory (holding <label>.kms.der, kmsd's public key of each key); the PIN
// comes from $KMS_USER_PIN. Prints one line per step and "N passed, M failed".

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

public final class KmsConformance {
  private static final byte[] DATA =
      "java conformance data".getBytes(StandardCharsets.UTF_8);
  private static final PSSParameterSpec PSS_SHA256 =
      new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);

  private static int passed;
  private static int failed;

  private interface Check {
    void run() throws Exception;
  }

  private static void step(String name, Check check) {
    try {
      check.run();
      passed++;
      System.out.println("PASS " + name);
    } catch (Throwable t) { // a failed step is reported, the run goes on
      failed++;
      System.out.println("FAIL " + name + ": " + t);
    }
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new AssertionError(what);
    }
  }

  private final Provider p11;
  private final KeyStore keyStore;
  private final Path work;

  private KmsConformance(Provider p11, KeyStore keyStore, Path work) {
    this.p11 = p11;
    this.keyStore = keyStore;
    this.work = work;
  }

  private PublicKey kmsPublicKey(String label, String algorithm) throws Exception {
    byte[] der = Files.readAllBytes(work.resolve(label + ".kms.der"));
    return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
  }

  private void keyEntry(String alias, String algorithm) throws Exception {
    List<String> aliases = Collections.list(keyStore.aliases());
    require(aliases.contains(alias), "no alias " + alias + " in " + aliases);
    require(keyStore.isKeyEntry(alias), alias + " is not a key entry");
    Key key = keyStore.getKey(alias, null);
    require(key instanceof PrivateKey, alias + " is " + key);
    require(key.getAlgorithm().equals(algorithm), "algorithm " + key.getAlgorithm());
    X509Certificate cert = (X509Certificate) keyStore.getCertificate(alias);
    require(cert != null, "no certificate for " + alias);
    require(Arrays.equals(cert.getPublicKey().getEncoded(),
                kmsPublicKey(alias, algorithm).getEncoded()),
        "the certificate's key is not kmsd's public key");
  }

  // Signs in the token, verifies with Java's own provider and the
  // certificate's public key, and checks that altered data does not verify.
  private void signVerify(String alias, String algorithm, String verifier,
      PSSParameterSpec pss) throws Exception {
    Signature signer = Signature.getInstance(algorithm, p11);
    if (pss != null) {
      signer.setParameter(pss);
    }
    Key key = keyStore.getKey(alias, null);
    require(key != null, "no key entry " + alias + " (it needs its certificate in the token)");
    signer.initSign((PrivateKey) key);
    signer.update(DATA);
    byte[] signature = signer.sign();
    require(signer.getProvider() == p11, "signed by " + signer.getProvider());

    PublicKey pub = keyStore.getCertificate(alias).getPublicKey();
    pub = KeyFactory.getInstance(pub.getAlgorithm())
              .generatePublic(new X509EncodedKeySpec(pub.getEncoded()));
    Signature check = Signature.getInstance(algorithm, verifier);
    if (pss != null) {
      check.setParameter(pss);
    }
    check.initVerify(pub);
    check.update(DATA);
    require(check.verify(signature), verifier + " rejects the signature");
    check.initVerify(pub);
    byte[] altered = DATA.clone();
    altered[0] ^= 1;
    check.update(altered);
    require(!check.verify(signature), "altered data verifies");
  }

  private void aesGcm() throws Exception {
    Key key = keyStore.getKey("java-aes", null);
    require(key instanceof SecretKey, "java-aes is " + key);
    require(key.getAlgorithm().equals("AES"), "algorithm " + key.getAlgorithm());
    byte[] iv = new byte[12];
    new SecureRandom().nextBytes(iv);
    byte[] aad = "header".getBytes(StandardCharsets.UTF_8);

    Cipher enc = Cipher.getInstance("AES/GCM/NoPadding", p11);
    enc.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
    enc.updateAAD(aad);
    byte[] ct = enc.doFinal(DATA);
    require(ct.length == DATA.length + 16, "ciphertext length " + ct.length);

    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding", p11);
    dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
    dec.updateAAD(aad);
    require(Arrays.equals(dec.doFinal(ct), DATA), "round trip differs");

    byte[] tampered = ct.clone();
    tampered[3] ^= 1;
    requireBadTag(key, iv, aad, tampered, "a tampered ciphertext");
    requireBadTag(key, iv, "other".getBytes(StandardCharsets.UTF_8), ct, "other AAD");
  }

  private void requireBadTag(Key key, byte[] iv, byte[] aad, byte[] ct, String what)
      throws Exception {
    Cipher dec = Cipher.getInstance("AES/GCM/NoPadding", p11);
    dec.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, iv));
    dec.updateAAD(aad);
    try {
      dec.doFinal(ct);
    } catch (AEADBadTagException expected) {
      return;
    }
    throw new AssertionError(what + " decrypted");
  }

  private void generatedKeyPair() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC", p11);
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = gen.generateKeyPair();
    Signature signer = Signature.getInstance("SHA256withECDSA", p11);
    signer.initSign(pair.getPrivate());
    signer.update(DATA);
    byte[] signature = signer.sign();
    PublicKey pub = KeyFactory.getInstance("EC", "SunEC")
                        .generatePublic(new X509EncodedKeySpec(pair.getPublic().getEncoded()));
    Signature check = Signature.getInstance("SHA256withECDSA", "SunEC");
    check.initVerify(pub);
    check.update(DATA);
    require(check.verify(signature), "SunEC rejects the signature");
  }

  public static void main(String[] args) throws Exception {
    Provider p11 = Security.getProvider("SunPKCS11").configure(args[0]);
    Security.addProvider(p11);
    char[] pin = System.getenv("KMS_USER_PIN").toCharArray();
    KeyStore keyStore = KeyStore.getInstance("PKCS11", p11);
    try {
      keyStore.load(null, pin);
      passed++;
      System.out.println("PASS PKCS11 KeyStore loads with the PIN");
    } catch (Exception e) {
      System.out.println("FAIL PKCS11 KeyStore loads with the PIN: " + e);
      System.out.println("java: " + passed + " passed, " + (failed + 1) + " failed");
      return;
    }
    KmsConformance t = new KmsConformance(p11, keyStore, Path.of(args[1]));
    step("KeyStore: RSA key entry with its certificate", () -> t.keyEntry("java-rsa", "RSA"));
    step("KeyStore: EC key entry with its certificate", () -> t.keyEntry("java-ec", "EC"));
    step("SHA256withRSA in the token, SunRsaSign verifies",
        () -> t.signVerify("java-rsa", "SHA256withRSA", "SunRsaSign", null));
    step("RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) in the token, SunRsaSign verifies",
        () -> t.signVerify("java-rsa", "RSASSA-PSS", "SunRsaSign", PSS_SHA256));
    step("SHA256withECDSA in the token, SunEC verifies",
        () -> t.signVerify("java-ec", "SHA256withECDSA", "SunEC", null));
    step("AES/GCM/NoPadding with a token AES key: round trip, tampering detected",
        t::aesGcm);
    step("EC key pair generated through SunPKCS11 signs, SunEC verifies",
        t::generatedKeyPair);
    System.out.println("java: " + passed + " passed, " + failed + " failed");
  }
}
