/* Links against an installed pvhdev and uses the core API once. */
#include <pvhdev/pvhdev.h>

int main(void)
{
	return pvhdev_strerror(0)[0] == 's' ? 0 : 1;
}
