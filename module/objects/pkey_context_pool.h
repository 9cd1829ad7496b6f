// Initialised OpenSSL contexts for one public key, reused across PKCS#11
// operations. Setting a context up (EVP_PKEY_CTX_new, *_init, padding and
// digests) makes OpenSSL 3 fetch the algorithm and each digest by name,
// which costs a quarter of an RSA-OAEP encryption; the module verifies and
// encrypts locally, once per C_*Init, so it keeps set-up contexts per
// configuration and hands each to one operation at a time.
#ifndef KMS_MODULE_OBJECTS_PKEY_CONTEXT_POOL_H_
#define KMS_MODULE_OBJECTS_PKEY_CONTEXT_POOL_H_

#include <openssl/evp.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/openssl_raii.h"

namespace kms::p11 {

class PkeyContextPool {
 public:
  // One context, for one operation at a time. It goes back to the pool when
  // the lease ends only if Reusable() was called: a context whose last call
  // failed is freed instead, in case OpenSSL left it half-way.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&& other) noexcept = default;
    ~Lease();

    EVP_PKEY_CTX* get() const { return ctx_.get(); }
    explicit operator bool() const { return ctx_ != nullptr; }
    void Reusable() { reusable_ = true; }

   private:
    friend class PkeyContextPool;
    PkeyContextPool* pool_ = nullptr;
    std::string config_;
    EvpPkeyCtxPtr ctx_;
    bool reusable_ = false;
  };

  explicit PkeyContextPool(EVP_PKEY* key) : key_(key) {}

  // A context configured for `config`: a free one from the pool, or a new
  // one for the key that `setup` configures (false: setup failed, and the
  // lease is empty). `config` must name everything `setup` sets.
  Lease Take(const std::string& config,
             const std::function<bool(EVP_PKEY_CTX*)>& setup);

 private:
  // Contexts kept per configuration: about one per thread that uses it.
  static constexpr size_t kMaxFreePerConfig = 8;

  void Give(std::string config, EvpPkeyCtxPtr ctx);

  EVP_PKEY* key_;  // owned by the object that owns this pool
  std::mutex mutex_;
  std::map<std::string, std::vector<EvpPkeyCtxPtr>> free_;
};

}  // namespace kms::p11

#endif  // KMS_MODULE_OBJECTS_PKEY_CONTEXT_POOL_H_
