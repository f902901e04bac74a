# The Debian package: `cmake --build --preset release --target package`
# writes build/release/banditore_VERSION_ARCH.deb with the binary, the
# systemd unit, the example environment file and the documentation, its
# dependencies on Debian 12's runtime libraries found by dpkg-shlibdeps.
# deploy/check-package.sh installs it and starts what it installed.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME banditore)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "banditore contributors")
set(CPACK_PACKAGE_CONTACT "banditore maintainers <maintainers@banditore.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "town crier of a municipality on WhatsApp")
set(CPACK_PACKAGE_DESCRIPTION
  "Citizens text Attiva to the town's WhatsApp number to receive public-utility\n"
  "alerts and Disattiva to stop; the press office sends an alert with one REST\n"
  "call and civil protection pushes CAP 1.2 alerts. Every alert leaves as one\n"
  "private message per subscriber; numbers are stored only encrypted.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENCE)
# Installed under /usr, as Debian packages are; the unit's paths follow
# (deploy/CMakeLists.txt rewrites /usr/local to the prefix).
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_LICENSE EUPL-1.2)
# The shared libraries the binary links, as Debian package names.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Read at run time, not linked: the time-zone database and the CAs that
# verify graph.facebook.com.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata, ca-certificates")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "sqlite3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
  ${PROJECT_SOURCE_DIR}/deploy/debian/prerm
  ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Debug information stays in the build tree.
set(CPACK_STRIP_FILES ON)
include(CPack)
