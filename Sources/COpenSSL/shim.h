// OpenSSL's libcrypto: only the EVP digest interface (SHA-256 and SHA-1) is used.
#include <openssl/evp.h>
