// OpenSSL's libcrypto (Debian: libssl-dev): HMAC-SHA256 for Jupyter message signatures.
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/crypto.h>
