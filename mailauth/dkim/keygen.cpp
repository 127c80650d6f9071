// Key generation and key records (see keygen.hpp).
// Trust boundary: administrator's command; the key file is created 0600
// with O_EXCL|O_NOFOLLOW so no existing file (or symlink) is replaced.
// RFC 6376 3.6.1, 3.6.2.2; RFC 8463 4.2.
#include "mailauth/dkim/keygen.hpp"

#include "common/util/strings.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace postern::dkim {

Pkey generate_key(KeyType type, int bits) {
  EVP_PKEY* k = nullptr;
  if (type == KeyType::ed25519) {
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  } else {
    if (bits < 1024 || bits > 8192) throw std::invalid_argument("RSA key size must be 1024..8192 bits");
    k = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits));
  }
  if (!k) throw std::runtime_error("key generation failed");
  return Pkey(k);
}

std::string private_key_pem(const EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw std::runtime_error("cannot encode private key");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

void write_private_key_file(const std::string& path, std::string_view pem) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) throw std::runtime_error(path + ": already exists; not overwriting a key");
    throw std::runtime_error(path + ": cannot create: " + std::strerror(errno));
  }
  ::fchmod(fd, 0600);  // whatever the umask
  size_t off = 0;
  while (off < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + off, pem.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(path.c_str());
      throw std::runtime_error(path + ": write failed: " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(path.c_str());
    throw std::runtime_error(path + ": write failed: " + std::strerror(e));
  }
}

std::string key_record_text(const EVP_PKEY* key) {
  KeyType t = key_type(key);
  return "v=DKIM1; k=" + std::string(to_string(t)) + "; p=" + util::base64_encode(public_key_bytes(key));
}

std::vector<std::string> split_txt(std::string_view text, size_t max) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos < text.size(); pos += max) out.emplace_back(text.substr(pos, max));
  if (out.empty()) out.emplace_back();
  return out;
}

std::string zone_record(std::string_view domain, std::string_view selector, std::string_view record_text) {
  std::string s = std::string(selector) + "._domainkey." + std::string(domain) + ". IN TXT (";
  // The record holds only base64, letters, '=', ';' and spaces: nothing to escape.
  for (const auto& part : split_txt(record_text)) s += " \"" + part + "\"";
  s += " )";
  return s;
}

}  // namespace postern::dkim
