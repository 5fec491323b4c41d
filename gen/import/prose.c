/* prose.c — prose figures back into {references} (prose.h). */
#include "import/prose.h"

void imp_prose_references(idept *d, buf *src)
{
	(void)d;
	(void)src;
}
