// A minimal SVG writer for the `nofold` program's plots (spectra, NMR curves, spectrograms).
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <nofold/io/atomic_file.hpp>

#include "command.hpp"

namespace nofold::cli {

class Svg {
public:
    Svg(double width, double height) : w_(width), h_(height) {
        out_ << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w_ << "\" height=\"" << h_
             << "\" viewBox=\"0 0 " << w_ << ' ' << h_ << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
             << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    }
    void line(double x1, double y1, double x2, double y2, const std::string& style) {
        out_ << "<line x1=\"" << x1 << "\" y1=\"" << y1 << "\" x2=\"" << x2 << "\" y2=\"" << y2 << "\" " << style
             << "/>\n";
    }
    void polyline(const std::vector<std::pair<double, double>>& pts, const std::string& style) {
        out_ << "<polyline fill=\"none\" " << style << " points=\"";
        for (const auto& p : pts) out_ << p.first << ',' << p.second << ' ';
        out_ << "\"/>\n";
    }
    void circle(double x, double y, double r, const std::string& style) {
        out_ << "<circle cx=\"" << x << "\" cy=\"" << y << "\" r=\"" << r << "\" " << style << "/>\n";
    }
    void rect(double x, double y, double w, double h, const std::string& fill) {
        out_ << "<rect x=\"" << x << "\" y=\"" << y << "\" width=\"" << w << "\" height=\"" << h << "\" fill=\"" << fill
             << "\"/>\n";
    }
    void text(double x, double y, const std::string& s, const std::string& extra = "") {
        out_ << "<text x=\"" << x << "\" y=\"" << y << "\" " << extra << '>' << s << "</text>\n";
    }
    void save(const std::string& path) {
        out_ << "</svg>\n";
        nofold::io::write_file_atomically(path, out_.str());
    }

private:
    double w_, h_;
    std::ostringstream out_;
};

}  // namespace nofold::cli
