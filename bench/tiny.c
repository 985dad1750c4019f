/*
 * tiny.c - the smallest dynamically linked program: what start-up costs
 * is then the loader's, and a preloaded DSO's, work.
 */
int main(void)
{
	return 0;
}
