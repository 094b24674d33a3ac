# fuzz_net_packet: the transport's datagram decoder (src/net,
# docs/transport.md): arbitrary datagrams, and valid ones mutated, against
# an engine that knows two peers.  Included by fuzz/CMakeLists.txt.
if(TARGET ecnet)
  if(EC_FUZZ)
    # the transport's sources compiled in, so that libFuzzer sees their coverage
    get_target_property(ecnet_srcs ecnet SOURCES)
    list(TRANSFORM ecnet_srcs PREPEND ${PROJECT_SOURCE_DIR}/src/net/)
    add_executable(fuzz_net_packet fuzz_net_packet.c ${ecnet_srcs})
    target_compile_options(fuzz_net_packet PRIVATE -fsanitize=fuzzer,address,undefined
      -fno-sanitize-recover=undefined)
    target_link_options(fuzz_net_packet PRIVATE -fsanitize=fuzzer,address,undefined)
    target_include_directories(fuzz_net_packet PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(fuzz_net_packet PRIVATE ec PkgConfig::SODIUM)
  else()
    add_executable(fuzz_net_packet fuzz_net_packet.c driver.c)
    target_link_libraries(fuzz_net_packet PRIVATE ecnet)
    file(GLOB corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/net_packet/*)
    add_test(NAME fuzz_net_packet COMMAND fuzz_net_packet -n 20000 ${corpus})
  endif()
endif()
