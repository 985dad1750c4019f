// crash_cxx.cc - a C++ program that crashes in a member function of a
// class template in a namespace, called through an inlined lambda, so
// that demangled names and inlined frames are exercised.
#include <cstdio>

namespace shapes {
template <typename T> struct Box {
	T *contents;
	__attribute__((noinline)) T open() const
	{
		return *contents + 1; // crashes: contents is null
	}
};
} // namespace shapes

static shapes::Box<int> *volatile the_box;

__attribute__((noinline)) int unpack(int extra)
{
	auto visit = [extra](const shapes::Box<int> &box)
		__attribute__((always_inline)) { return box.open() * extra; };
	int result = visit(*the_box);
	__asm__ volatile("" ::: "memory");
	return result;
}

int main()
{
	static shapes::Box<int> box{nullptr};
	the_box = &box;
	std::printf("crash_cxx\n");
	std::fflush(stdout);
	return unpack(2);
}
