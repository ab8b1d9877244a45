# Global sanitizer flags, chosen with -DBASTION_SANITIZE=address,undefined or =thread.
if(BASTION_SANITIZE)
  add_compile_options(-fsanitize=${BASTION_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${BASTION_SANITIZE})
endif()
