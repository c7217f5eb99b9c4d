#include "compare/line_interner.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail::compare;

TEST_CASE("compare: the interner gives equal lines one id, whichever run has them") {
  LineInterner interner;
  const std::uint32_t a = interner.Intern("cc -c a.c", Side::This);
  const std::uint32_t b = interner.Intern("cc -c b.c", Side::This);
  CHECK(a != b);
  CHECK(interner.Intern("cc -c a.c", Side::Other) == a);
  CHECK(interner.ids(Side::This).Has(a));
  CHECK(interner.ids(Side::This).Has(b));
  CHECK(interner.ids(Side::Other).Has(a));
  CHECK(!interner.ids(Side::Other).Has(b));
  const std::uint32_t gap = interner.Unique();
  CHECK(gap != interner.Unique());
  CHECK(!interner.ids(Side::This).Has(gap));
  CHECK(!interner.ids(Side::Other).Has(999999));
}

TEST_CASE("compare: the interner keeps its ids as its table grows") {
  LineInterner interner;
  std::vector<std::uint32_t> ids;
  for (int k = 0; k < 100000; ++k) ids.push_back(interner.Intern(std::to_string(k), Side::This));
  CHECK(interner.size() == 100000);
  for (int k = 0; k < 100000; k += 7) {
    REQUIRE(interner.Intern(std::to_string(k), Side::Other) == ids[k]);
  }
  CHECK(interner.size() == 100000);
  CHECK(interner.MemoryBytes() < 100000 * 40);
}
