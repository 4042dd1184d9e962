# The Debian package (CPack DEB): install() rules and the package's metadata. Build it with
# `scripts/package` (docs/operations.md, "Package and service"), which prepares the generated
# pieces (changelog, man page) in <build>/package/ and runs cpack without rebuilding anything.
#
# Layout: /usr/bin/vertice, the web export in /usr/share/vertice/web, /etc/vertice/vertice.toml
# (a conffile), the systemd units in /lib/systemd/system, the maintainer scripts from deploy/debian/.
set(VERTICE_PACKAGE_MAINTAINER "Vértice maintainers <maintainers@users.noreply.r-seed-6a880bc1.example>"
    CACHE STRING "Maintainer field of the Debian package")

# `cpack` installs into its staging tree through the `preinstall` step; without this it would first
# build every target (the test suites too). scripts/package packages what the build already has.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(pkg_src ${PROJECT_SOURCE_DIR}/deploy)
set(pkg_gen ${PROJECT_BINARY_DIR}/package)  # written by scripts/package

# Full RELRO for the installed binary (Debian's toolchain already gives PIE and partial RELRO):
# a link-time flag, so it relinks the binary and recompiles nothing.
target_link_options(vertice PRIVATE LINKER:-z,now)
install(TARGETS vertice RUNTIME DESTINATION bin)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/web/out/ DESTINATION share/vertice/web
        PATTERN ".build-stamp" EXCLUDE)
install(FILES ${pkg_src}/config/vertice.toml DESTINATION /etc/vertice)
install(FILES ${pkg_src}/systemd/vertice.service ${pkg_src}/systemd/vertice-migrate.service
              ${pkg_src}/systemd/vertice-backup@.service ${pkg_src}/systemd/vertice-backup-full.timer
              ${pkg_src}/systemd/vertice-backup-diff.timer
        DESTINATION /lib/systemd/system)
# The pgBackRest wrappers the backup units and the runbooks call, and the templates they read.
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/backup ${PROJECT_SOURCE_DIR}/scripts/restore
        DESTINATION share/vertice/scripts)
install(DIRECTORY ${pkg_src}/pgbackrest/ DESTINATION share/doc/vertice/examples/pgbackrest)
install(FILES ${pkg_src}/debian/copyright ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION share/doc/vertice)
# changelog.gz for a native version (no "-"), changelog.Debian.gz otherwise: scripts/package writes one.
install(FILES ${pkg_gen}/changelog.gz ${pkg_gen}/changelog.Debian.gz DESTINATION share/doc/vertice OPTIONAL)
install(FILES ${pkg_gen}/vertice.1.gz DESTINATION share/man/man1 OPTIONAL)
install(FILES ${pkg_src}/debian/lintian-overrides DESTINATION share/lintian/overrides RENAME vertice)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vertice)
set(CPACK_PACKAGE_VENDOR "Vértice")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_PACKAGE_CONTACT "${VERTICE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # vertice_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://vertice.example/")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "multi-tenant finance platform for Mexican businesses")
# The extended description: CPack indents each line and writes an empty one as " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Vértice keeps tenants, companies and their users, SAT CFDI invoices, bank
statements and their reconciliation, and one unified view of every
transaction, over PostgreSQL 15.

This package holds the server and operator command (vertice), its web app,
a default configuration and the systemd units vertice.service and
vertice-migrate.service.")
# Depends: the shared libraries dpkg-shlibdeps finds in the binary, plus adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pgbackrest")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql (>= 15), prometheus, prometheus-node-exporter")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${pkg_src}/debian/conffiles ${pkg_src}/debian/postinst ${pkg_src}/debian/prerm ${pkg_src}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
# xz by default; scripts/package takes VERTICE_PACKAGE_COMPRESSION=gzip for quick test packages.
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
set(CPACK_THREADS 0)  # xz on every core
include(CPack)
