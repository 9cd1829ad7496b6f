// Session: key generation, object creation, change and destruction, and
// session objects.
#include <algorithm>
#include <atomic>

#include "common/logging.h"
#include "module/objects/object_import.h"
#include "module/objects/stored_object.h"
#include "module/ops/key_generation.h"
#include "module/session/session.h"

namespace kms::p11 {

namespace {

constexpr size_t kMaxLabel = 128;    // kmsd's limit
constexpr size_t kMaxObjectId = 64;  // kmsd's ck_id limit
constexpr size_t kMaxKeyId = 32;     // as for generated keys

// Kept by kmsd as an object of the key ring (not a key's object).
bool IsStoredObject(const P11Object& o) {
  return o.identity().rfind("object/", 0) == 0;
}

bool IsKeyObject(const P11Object& o) {
  return !o.local() && !IsStoredObject(o) &&
         (o.object_class() == CKO_PRIVATE_KEY ||
          o.object_class() == CKO_PUBLIC_KEY ||
          o.object_class() == CKO_SECRET_KEY);
}

CkStatus CheckLabel(const std::string& label, bool may_be_empty) {
  if ((label.empty() && !may_be_empty) || label.size() > kMaxLabel ||
      std::any_of(label.begin(), label.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      })) {
    return CkError(CKR_ATTRIBUTE_VALUE_INVALID,
                   "CKA_LABEL: at most 128 bytes, no control characters");
  }
  return CkStatus::Ok();
}

std::string NewLocalId() {
  static std::atomic<uint64_t> next{1};
  return "session-object-" + std::to_string(next.fetch_add(1));
}

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
  CK_ASSIGN_OR_RETURN(NewKey request, KeyPairRequest(mechanism, public_template,
                                                     private_template));
  CK_RETURN_IF_ERROR(CheckCanCreate(*this, request.token));
  CK_ASSIGN_OR_RETURN(auto objects, CreateKey(token_->auth(), request));
  *public_key = *private_key = CK_INVALID_HANDLE;
  auto handles = AdoptNewKey(objects, request.token);
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
  *key = AdoptNewKey(objects, request.token).front();
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
  if (object->local()) {
    token_->objects().RemoveLocal(handle);
    return CkStatus::Ok();
  }
  if (object->object_class() == CKO_CERTIFICATE ||
      object->object_class() == CKO_DATA || IsStoredObject(*object)) {
    CkStatus deleted = DeleteObject(auth, id);
    if (deleted.rv() == CKR_KEY_HANDLE_INVALID) {  // deleted elsewhere
      token_->objects().Evict(id);
      return CkError(CKR_OBJECT_HANDLE_INVALID, deleted.message());
    }
    CK_RETURN_IF_ERROR(deleted);
    token_->objects().Evict(id);
    return CkStatus::Ok();
  }
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
  token_->objects().Evict(id);
  return CkStatus::Ok();
}

CkStatus Session::CreateObject(const AttributeList& templ,
                               CK_OBJECT_HANDLE* handle) {
  CK_ASSIGN_OR_RETURN(CreateRequest request, ReadCreateTemplate(templ));
  if (request.token() && !read_write()) {
    return CkError(CKR_SESSION_READ_ONLY);
  }
  // kmsd keeps token objects and keys only for a logged-in application.
  if ((request.is_private() || request.token() || request.is_key) &&
      !token_->auth().logged_in()) {
    return CkError(CKR_USER_NOT_LOGGED_IN);
  }
  RingAuth& auth = token_->auth();
  if (request.is_key) {
    CK_ASSIGN_OR_RETURN(auto objects,
                        ImportKey(auth, request.key, request.material));
    auto handles = AdoptNewKey(objects, request.key.token);
    *handle = CK_INVALID_HANDLE;
    for (size_t i = 0; i < objects.size(); ++i) {
      CK_OBJECT_CLASS cls = objects[i]->object_class();
      if (objects[i]->version() == 0 && cls != CKO_PUBLIC_KEY) {
        *handle = handles[i];
      }
    }
    return CkStatus::Ok();
  }
  StoredObject& o = request.object;
  if (o.token) {
    CK_ASSIGN_OR_RETURN(Json reply, PostObject(auth, StoredObjectRequest(o)));
    CK_ASSIGN_OR_RETURN(StoredObject stored, StoredObjectFromJson(reply.get()));
    CK_ASSIGN_OR_RETURN(auto object, MakeStoredObject(stored));
    *handle = token_->objects().Insert({object}).front();
    return CkStatus::Ok();
  }
  o.id = NewLocalId();
  CK_ASSIGN_OR_RETURN(auto object, MakeStoredObject(o));
  bool is_private = object->is_private();
  std::lock_guard<std::mutex> lock(session_keys_mu_);
  *handle = token_->objects().InsertLocal(std::move(object));
  local_objects_.emplace_back(*handle, is_private);
  return CkStatus::Ok();
}

CkStatus Session::SetAttributes(CK_OBJECT_HANDLE handle,
                                const AttributeList& templ) {
  CK_ASSIGN_OR_RETURN(auto object, GetObject(handle));
  if (object->Bool(CKA_TOKEN) && !read_write()) {
    return CkError(CKR_SESSION_READ_ONLY);
  }
  if (!object->Bool(CKA_MODIFIABLE)) {
    return CkError(CKR_ACTION_PROHIBITED, "object is not modifiable");
  }
  const bool key = IsKeyObject(*object);
  // The whole template is checked before anything is sent.
  std::optional<std::string> label;
  std::optional<Bytes> ck_id;
  for (const auto& a : templ) {
    if (a.type == CKA_LABEL) {
      std::string value(a.value.begin(), a.value.end());
      CK_RETURN_IF_ERROR(CheckLabel(value, !key));
      if (label && *label != value) {
        return CkError(CKR_TEMPLATE_INCONSISTENT, "CKA_LABEL given twice");
      }
      label = std::move(value);
    } else if (a.type == CKA_ID && object->Has(CKA_ID)) {
      if (a.value.size() > (key ? kMaxKeyId : kMaxObjectId)) {
        return CkError(CKR_ATTRIBUTE_VALUE_INVALID, "CKA_ID too long");
      }
      if (ck_id && *ck_id != a.value) {
        return CkError(CKR_TEMPLATE_INCONSISTENT, "CKA_ID given twice");
      }
      ck_id = a.value;
    } else if (object->Has(a.type)) {
      return CkError(CKR_ATTRIBUTE_READ_ONLY,
                     "only CKA_LABEL and CKA_ID can be changed");
    } else {
      return CkError(CKR_ATTRIBUTE_TYPE_INVALID,
                     "the object has no such attribute");
    }
  }
  if (!label && !ck_id) return CkStatus::Ok();
  ObjectCache& cache = token_->objects();
  if (object->local()) {
    auto changed = std::make_shared<P11Object>(*object);
    if (label) changed->SetString(CKA_LABEL, *label);
    if (ck_id) changed->SetBytes(CKA_ID, *ck_id);
    cache.InsertLocal(std::move(changed));
    return CkStatus::Ok();
  }
  RingAuth& auth = token_->auth();
  if (!key) {
    CK_ASSIGN_OR_RETURN(Json reply,
                        UpdateObject(auth, object->key_id(), label, ck_id));
    CK_ASSIGN_OR_RETURN(StoredObject stored, StoredObjectFromJson(reply.get()));
    CK_ASSIGN_OR_RETURN(auto changed, MakeStoredObject(stored));
    cache.Insert({changed});
    return CkStatus::Ok();
  }
  // A key: the label is the key's, the CKA_ID lives in its alias object.
  const std::string& key_id = object->key_id();
  std::string alias = cache.AliasObjectFor(key_id);
  std::optional<Bytes> applied = ck_id;
  if (ck_id) {
    CK_ASSIGN_OR_RETURN(alias, SetKeyCkId(auth, key_id, alias, *ck_id));
    cache.SetAliasObject(key_id, alias);
  } else if (!alias.empty() && object->Find(CKA_ID) != nullptr) {
    applied = *object->Find(CKA_ID);
  }
  std::vector<std::shared_ptr<P11Object>> objects;
  if (label) {
    CK_ASSIGN_OR_RETURN(objects, RelabelKey(auth, key_id, *label));
  } else {
    CK_ASSIGN_OR_RETURN(objects, FetchKey(auth, key_id));
  }
  for (auto& o : objects) {
    if (applied) ApplyCkId(*o, *applied);
  }
  cache.Insert(objects);
  return CkStatus::Ok();
}

Session::~Session() {
  try {
    for (const auto& [handle, is_private] : local_objects_) {
      token_->objects().RemoveLocal(handle);
    }
  } catch (...) {
  }
}

void Session::DestroySessionObjects() noexcept {
  try {
    std::vector<std::string> keys;
    {
      std::lock_guard<std::mutex> lock(session_keys_mu_);
      keys.swap(session_keys_);
      // Private session objects end with the login (PKCS#11 C_Logout), all
      // of them with the session (also ~Session).
      for (const auto& [handle, is_private] : local_objects_) {
        if (is_private) token_->objects().RemoveLocal(handle);
      }
      std::erase_if(local_objects_,
                    [](const auto& entry) { return entry.second; });
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

std::vector<CK_OBJECT_HANDLE> Session::AdoptNewKey(
    const std::vector<std::shared_ptr<P11Object>>& objects, bool token) {
  if (!token) {
    std::lock_guard<std::mutex> lock(session_keys_mu_);
    session_keys_.push_back(objects.front()->key_id());
    token_->objects().MarkSessionKey(objects.front()->key_id());
  }
  return token_->objects().Insert(objects);
}

}  // namespace kms::p11
