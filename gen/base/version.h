/* version.h — the program version, printed by --version and recorded in build manifests. */
#ifndef BUDGETGEN_VERSION_H
#define BUDGETGEN_VERSION_H

#define BUDGETGEN_VERSION "0.1.0"

#endif
