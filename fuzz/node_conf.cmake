# fuzz_conf: the daemon's option parsers (src/ops/conf.c): config files,
# command lines and values, and the dump reading back to itself.  Included
# by fuzz/CMakeLists.txt; same pattern as its targets (libFuzzer with
# EC_FUZZ, else fuzz/driver.c and a ctest smoke run over fuzz/corpus/conf/).
set(ecn_fuzz_conf_src fuzz_conf.c ${PROJECT_SOURCE_DIR}/src/ops/conf.c)
if(EC_FUZZ)
  add_executable(fuzz_conf ${ecn_fuzz_conf_src})
  target_compile_options(fuzz_conf PRIVATE -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=undefined)
  target_link_options(fuzz_conf PRIVATE -fsanitize=fuzzer,address,undefined)
else()
  add_executable(fuzz_conf ${ecn_fuzz_conf_src} driver.c)
  file(GLOB ecn_fuzz_conf_corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/conf/*)
  add_test(NAME fuzz_conf COMMAND fuzz_conf -n 20000 ${ecn_fuzz_conf_corpus})
endif()
target_link_libraries(fuzz_conf PRIVATE ec)
target_include_directories(fuzz_conf PRIVATE ${PROJECT_SOURCE_DIR}/src)
