#include "base/temp_dir.h"

#include "base/fs.h"

#include <cstdlib>
#include <vector>

namespace berth {

Result<TempDir> TempDir::create(std::string const& parent, std::string const& prefix)
{
    std::string tmpl = fs::join(parent, prefix + "XXXXXX");
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data()))
        return Error::from_errno("mkdtemp " + tmpl);
    return TempDir(std::string(buf.data()));
}

TempDir::~TempDir()
{
    if (!m_keep && !m_path.empty())
        (void)fs::remove_tree(m_path);
}

} // namespace berth
