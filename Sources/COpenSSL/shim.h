// OpenSSL's libcrypto: the EVP digest interface (SHA-256, SHA-1) and Ed25519 keys (EVP_PKEY, PEM).
#include <openssl/evp.h>
#include <openssl/pem.h>
