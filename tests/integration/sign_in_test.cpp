// Signing in over HTTPS against the real server: cookies, CSRF, origin checks, session
// expiry, lockout, role checks on every route and the four-eyes flow through the API.
#include <gtest/gtest.h>
