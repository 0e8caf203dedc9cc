/* The PHP extension yunhuni (see yunhuni.c). */
#ifndef PHP_YUNHUNI_H
#define PHP_YUNHUNI_H

#include <yunhuni.h>

extern zend_module_entry yunhuni_module_entry;
#define phpext_yunhuni_ptr &yunhuni_module_entry

/* The extension has the version of the C library it is built against. */
#define PHP_YUNHUNI_VERSION YUNHUNI_VERSION

#endif
