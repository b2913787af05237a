# `cmake --install build --prefix P` and `cpack`: the program, its data and the parser library.
#   P/bin/ssespec
#   P/share/ssespec/fixtures/        the corpus (cases, schemas, VERSION, replay guide)
#   P/share/ssespec/browser-tests/   the browser runner's Node files, lock file and installed
#                                    node_modules (pinned playwright-core), so `ssespec browser`
#                                    needs no network
#   P/share/ssespec/doc/             every *.md of the tree outside fixtures/ and browser-tests/
#                                    (installed with them), plus example expectations files
#   P/include/ssespec/parser.hpp and mime.hpp, P/lib/libssespec_parser.a, P/lib/cmake/ssespec/
# The program finds its data at <bin>/../share/ssespec (conformance/runner/data_dir.hpp), so
# the tree can move anywhere: the .tar.gz is relocatable. Whole folders are installed, so files
# added to them later are installed too.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SSESPEC_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/ssespec)
set(SSESPEC_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ssespec)

# Must match data_dir.cpp's lookup, which uses ../share/ssespec from the program's folder.
if(NOT CMAKE_INSTALL_BINDIR STREQUAL "bin" OR NOT CMAKE_INSTALL_DATADIR STREQUAL "share")
  message(FATAL_ERROR "ssespec finds its data at <bin>/../share/ssespec; keep CMAKE_INSTALL_BINDIR=bin and CMAKE_INSTALL_DATADIR=share")
endif()

install(TARGETS ssespec RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(DIRECTORY fixtures/ DESTINATION ${SSESPEC_INSTALL_DATADIR}/fixtures)

if(NOT EXISTS ${PROJECT_SOURCE_DIR}/browser-tests/node_modules/playwright-core)
  message(WARNING "browser-tests/node_modules is missing: an install or package built now cannot run "
                  "`ssespec browser` (run .ci/install-deps or `npm ci --prefix browser-tests` first)")
endif()
install(DIRECTORY browser-tests/ DESTINATION ${SSESPEC_INSTALL_DATADIR}/browser-tests
        PATTERN test EXCLUDE            # the project's own tests, run from the checkout
        PATTERN .package-lock.json EXCLUDE)

# Every document of the tree (new ones included: CONFIGURE_DEPENDS re-globs on build) keeps its
# relative path, so the README's links (conformance/ADAPTERS.md, reference/server/API.md) hold.
file(GLOB_RECURSE SSESPEC_DOCS CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}
     ${PROJECT_SOURCE_DIR}/*.md ${PROJECT_SOURCE_DIR}/conformance/expectations/*.json)
list(FILTER SSESPEC_DOCS EXCLUDE REGEX "(^|/)(node_modules|build[^/]*|fixtures|browser-tests|tests)/")
foreach(doc IN LISTS SSESPEC_DOCS)
  get_filename_component(doc_dir ${doc} DIRECTORY)
  install(FILES ${doc} DESTINATION ${SSESPEC_INSTALL_DATADIR}/doc/${doc_dir})
endforeach()

# The parser library, for find_package(ssespec) and ssespec::parser.
set_target_properties(ssespec_parser PROPERTIES EXPORT_NAME parser)
install(TARGETS ssespec_parser EXPORT ssespecTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES reference/include/ssespec/parser.hpp reference/include/ssespec/encoder.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ssespec)
install(EXPORT ssespecTargets NAMESPACE ssespec:: DESTINATION ${SSESPEC_INSTALL_CMAKEDIR})
install(FILES reference/include/ssespec/mime.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ssespec)  # MIME types, in ssespec_parser
configure_package_config_file(reference/cmake/ssespecConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ssespecConfig.cmake
  INSTALL_DESTINATION ${SSESPEC_INSTALL_CMAKEDIR}
  PATH_VARS SSESPEC_INSTALL_DATADIR)
# 0.x: a new minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ssespecConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ssespecConfig.cmake ${PROJECT_BINARY_DIR}/ssespecConfigVersion.cmake
        DESTINATION ${SSESPEC_INSTALL_CMAKEDIR})

# cpack (or `cmake --build build --target package`): build/ssespec_<version>_<arch>.deb and
# build/ssespec-<version>-Linux.tar.gz.
set(CPACK_GENERATOR DEB TGZ)
set(CPACK_PACKAGE_NAME ssespec)
set(CPACK_PACKAGE_VENDOR "ssespec")
set(CPACK_PACKAGE_CONTACT "ssespec maintainers <ssespec@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://html.spec.whatwg.org/multipage/server-sent-events.html")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# dpkg-shlibdeps declares the runtime libraries the program links (libpoco*80, libstdc++6, libc6)
# exactly as the build machine's Debian names them.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# `ssespec browser` runs Node (playwright-core) and a system browser; the rest needs neither.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "chromium, firefox-esr, nodejs")
include(CPack)

# The packaging test (label "install"): builds the .deb, apt-get installs it, runs every command
# with the source and build trees hidden, then purges it. Opt-in (SSESPEC_INSTALL_TEST=1, as
# .ci/run sets): it changes this machine's installed packages. About a minute.
if(SSESPEC_BUILD_TESTS)
  add_test(NAME Install.DebPackage
           COMMAND ${PROJECT_SOURCE_DIR}/conformance/tests/install/package_test.sh ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(Install.DebPackage PROPERTIES LABELS install RUN_SERIAL TRUE TIMEOUT 900 SKIP_RETURN_CODE 77)
endif()
