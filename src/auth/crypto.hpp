// Thin wrappers over libsodium: random tokens, token hashing, Argon2id passwords, constant-time compare.
#pragma once

#include <string>
#include <string_view>

namespace vertice::auth {

// Must run once before any other function here (sodium_init).
void InitCrypto();
// "<prefix>" + 43 chars of URL-safe base64 over 32 random bytes.
std::string NewToken(std::string_view prefix);
std::string RandomHex(size_t bytes);
// BLAKE2b-256 of a token, hex: what the database stores instead of the token.
std::string HashToken(std::string_view token);
// Argon2id (libsodium's crypto_pwhash_str, interactive limits unless `fast` for tests/demo loads).
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace vertice::auth
