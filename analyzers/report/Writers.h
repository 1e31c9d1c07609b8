//===- Writers.h - the HTML page and its Markdown twin ----------*- C++ -*-===//

#ifndef MPSAFE_REPORT_WRITERS_H
#define MPSAFE_REPORT_WRITERS_H

#include "Progress.h"
#include "llvm/Support/raw_ostream.h"

namespace mpsafe {
namespace report {

/// One self-contained page: inline CSS, inline SVG, no script, no remote
/// resource. Every string that comes from source or from an input file is
/// escaped.
void writeHtml(llvm::raw_ostream &OS, const Report &R);

/// The same content as Markdown (GitHub flavour); text from source is
/// escaped for HTML too, since Markdown renderers pass raw HTML through.
void writeMarkdown(llvm::raw_ostream &OS, const Report &R);

/// & < > " ' as entities.
std::string htmlEscape(llvm::StringRef S);

} // namespace report
} // namespace mpsafe

#endif // MPSAFE_REPORT_WRITERS_H
