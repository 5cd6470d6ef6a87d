# Writes one file's bytes as a C++ array (run in script mode by tillit_embed_files).
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
file(WRITE "${OUTPUT}" "#include <cstddef>\nnamespace ${NAMESPACE} {\nextern const unsigned char ${SYMBOL}[] = {${bytes} 0x00};\nextern const std::size_t ${SYMBOL}_size = ${size};\n}\n")
