/* stdarg.h - variable arguments (the compiler's freestanding header). */
#ifndef _MACHINE_STDARG_H_
#define	_MACHINE_STDARG_H_
#include <stdarg.h>
#endif /* !_MACHINE_STDARG_H_ */
