# fuzz_rpc: the daemon's control socket and metrics port (src/ops): the
# JSON-RPC line framer and decoder, the scraper's HTTP request parser and
# the escaping of logged strings.  Included by fuzz/CMakeLists.txt; same
# pattern as its targets (libFuzzer with EC_FUZZ, else fuzz/driver.c and a
# ctest smoke run over fuzz/corpus/rpc/).  The sources are compiled into the
# target so that libFuzzer sees their coverage.
set(ecn_fuzz_rpc_src fuzz_rpc.c ${PROJECT_SOURCE_DIR}/src/ops/rpc.c
  ${PROJECT_SOURCE_DIR}/src/ops/metrics.c ${PROJECT_SOURCE_DIR}/src/ops/log.c)
if(EC_FUZZ)
  add_executable(fuzz_rpc ${ecn_fuzz_rpc_src})
  target_compile_options(fuzz_rpc PRIVATE -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined)
  target_link_options(fuzz_rpc PRIVATE -fsanitize=fuzzer,address,undefined)
else()
  add_executable(fuzz_rpc ${ecn_fuzz_rpc_src} driver.c)
  file(GLOB ecn_fuzz_rpc_corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/rpc/*)
  add_test(NAME fuzz_rpc COMMAND fuzz_rpc -n 20000 ${ecn_fuzz_rpc_corpus})
endif()
target_link_libraries(fuzz_rpc PRIVATE ec PkgConfig::JANSSON)
target_include_directories(fuzz_rpc PRIVATE ${PROJECT_SOURCE_DIR}/src)
