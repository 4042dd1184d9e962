// The build's identity, for `vertice --version`, /healthz and the vertice_build_info metric. The
// values live in version.gen.cpp, which the vertice_version target (core/version.cmake) rewrites at
// build time, and only when they change: a new commit recompiles that one file and relinks.
#pragma once

namespace vertice {

extern const char* const kVersion;  // the project's version: "0.1.0"
extern const char* const kCommit;   // HEAD's abbreviated hash at build time; "" outside a git checkout
extern const bool kDirty;           // tracked files differed from HEAD at build time
extern const char* const kBuildId;  // VERTICE_BUILD_ID when set, else "git 85c2658[-dirty]", else ""

}  // namespace vertice
