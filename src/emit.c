/* STUB */
#include "autoconf.h"
#include "emit.h"
