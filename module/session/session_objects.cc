// Session: key generation, object destruction and session keys.
#include "common/logging.h"
#include "module/ops/key_generation.h"
#include "module/session/session.h"

namespace kms::p11 {

namespace {

CkStatus CheckCanCreate(const Session& session, bool token_object) {
  if (!session.token().auth().logged_in()) {
    return CkError(CKR_USER_NOT_LOGGED_IN);
  }
  if (token_object && !session.read_write()) {
    return CkError(CKR_SESSION_READ_ONLY);
  }
  return CkStatus::Ok();
}

}  // namespace

CkStatus Session::GenerateKeyPair(const CK_MECHANISM& mechanism,
                                  const AttributeList& public_template,
                                  const AttributeList& private_template,
                                  CK_OBJECT_HANDLE* public_key,
                                  CK_OBJECT_HANDLE* private_key) {
  CK_ASSIGN_OR_RETURN(
      NewKey request,
      KeyPairRequest(mechanism, public_template, private_template));
  CK_RETURN_IF_ERROR(CheckCanCreate(*this, request.token));
  CK_ASSIGN_OR_RETURN(auto objects, CreateKey(token_->auth(), request));
  if (!request.token) {
    std::lock_guard<std::mutex> lock(session_keys_mu_);
    session_keys_.push_back(objects.front()->key_id());
    token_->objects().MarkSessionKey(objects.front()->key_id());
  }
  *public_key = *private_key = CK_INVALID_HANDLE;
  auto handles = token_->objects().Insert(objects);
  for (size_t i = 0; i < objects.size(); ++i) {
    if (objects[i]->version() != 0) continue;
    if (objects[i]->object_class() == CKO_PUBLIC_KEY) *public_key = handles[i];
    if (objects[i]->object_class() == CKO_PRIVATE_KEY) {
      *private_key = handles[i];
    }
  }
  return CkStatus::Ok();
}

CkStatus Session::GenerateKey(const CK_MECHANISM& mechanism,
                              const AttributeList& templ,
                              CK_OBJECT_HANDLE* key) {
  CK_ASSIGN_OR_RETURN(NewKey request, SecretKeyRequest(mechanism, templ));
  CK_RETURN_IF_ERROR(CheckCanCreate(*this, request.token));
  CK_ASSIGN_OR_RETURN(auto objects, CreateKey(token_->auth(), request));
  if (!request.token) {
    std::lock_guard<std::mutex> lock(session_keys_mu_);
    session_keys_.push_back(objects.front()->key_id());
    token_->objects().MarkSessionKey(objects.front()->key_id());
  }
  *key = token_->objects().Insert(objects).front();
  return CkStatus::Ok();
}

CkStatus Session::DestroyObject(CK_OBJECT_HANDLE handle) {
  CK_ASSIGN_OR_RETURN(auto object, GetObject(handle));
  if (object->Bool(CKA_TOKEN) && !read_write()) {
    return CkError(CKR_SESSION_READ_ONLY);
  }
  if (!object->Bool(CKA_DESTROYABLE)) {
    return CkError(CKR_ACTION_PROHIBITED, "object is not destroyable");
  }
  RingAuth& auth = token_->auth();
  const std::string& id = object->key_id();
  switch (object->object_class()) {
    case CKO_CERTIFICATE:
    case CKO_DATA:
      CK_RETURN_IF_ERROR(DeleteObject(auth, id));
      break;
    default:
      if (object->version() != 0) {
        CK_RETURN_IF_ERROR(DestroyKeyVersion(auth, id, object->version()));
        token_->objects().Invalidate();
        return CkStatus::Ok();
      }
      CK_RETURN_IF_ERROR(DestroyKey(auth, id));
      if (std::string alias = token_->objects().AliasObjectFor(id);
          !alias.empty()) {
        (void)DeleteObject(auth, alias);
      }
      break;
  }
  token_->objects().Evict(id);
  return CkStatus::Ok();
}

void Session::DestroySessionObjects() noexcept {
  try {
    std::vector<std::string> keys;
    {
      std::lock_guard<std::mutex> lock(session_keys_mu_);
      keys.swap(session_keys_);
    }
    for (const auto& id : keys) {
      CkStatus destroyed = DestroyKey(token_->auth(), id);
      if (!destroyed.ok()) {
        KMS_LOG(kWarning) << "session key " << id
                          << " not destroyed: " << destroyed.message();
      }
      if (std::string alias = token_->objects().AliasObjectFor(id);
          !alias.empty()) {
        (void)DeleteObject(token_->auth(), alias);
      }
      token_->objects().Evict(id);
    }
  } catch (...) {
    KMS_LOG(kWarning) << "session keys not destroyed (out of memory)";
  }
}

}  // namespace kms::p11
