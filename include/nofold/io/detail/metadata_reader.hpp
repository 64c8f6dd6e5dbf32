// nofold::io::detail — the .nam `metadata` object → io::Metadata. Metadata never changes what a
// model computes, so a field of the wrong type becomes a warning rather than an error.
// Units: dB, dBu, Hz as in io::Metadata. Latency: none. Allocates: loading only.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "../metadata.hpp"
#include "json_access.hpp"

namespace nofold::io::detail {

inline void flatten_metadata(const json::Value& v, const std::string& prefix,
                             std::vector<std::pair<std::string, std::string>>& out, int depth) {
    if (depth > 8 || out.size() > 256) return;
    if (v.is_object()) {
        for (std::size_t i = 0; i < v.size(); ++i)
            flatten_metadata(v[i], prefix.empty() ? v.key(i) : prefix + "." + v.key(i), out, depth + 1);
    } else if (v.is_array()) {
        for (std::size_t i = 0; i < v.size() && i < 16; ++i)
            flatten_metadata(v[i], prefix + "[" + std::to_string(i) + "]", out, depth + 1);
    } else {
        out.emplace_back(prefix, v.is_string() ? v.as_string() : describe(v));
    }
}

/// Reads `metadata` (may be absent or null) into `md`; type mismatches go to `warnings`.
inline void read_metadata(const json::Value* v, const std::string& path, Metadata& md, std::vector<std::string>& warnings) {
    if (v == nullptr || v->is_null()) return;
    if (!v->is_object()) {
        warnings.push_back(path + ": ignored (expected an object, found " + describe(*v) + ")");
        return;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
        const std::string& key = v->key(i);
        const json::Value& x = (*v)[i];
        const std::string p = json::path_member(path, key);
        auto number = [&](std::optional<double>& field) {
            if (x.is_null()) return;
            if (x.is_number() && std::isfinite(x.as_number()))
                field = x.as_number();
            else
                warnings.push_back(p + ": ignored (expected a number, found " + describe(x) + ")");
        };
        auto text = [&](std::string& field) {
            if (x.is_null()) return;
            if (x.is_string())
                field = x.as_string();
            else
                warnings.push_back(p + ": ignored (expected a string, found " + describe(x) + ")");
        };
        if (key == "loudness") number(md.loudness_db);
        else if (key == "input_level_dbu") number(md.input_level_dbu);
        else if (key == "output_level_dbu") number(md.output_level_dbu);
        else if (key == "gain") number(md.gain);
        else if (key == "name") text(md.name);
        else if (key == "modeled_by") text(md.modeled_by);
        else if (key == "gear_type") text(md.gear_type);
        else if (key == "gear_make") text(md.gear_make);
        else if (key == "gear_model") text(md.gear_model);
        else if (key == "tone_type") text(md.tone_type);
        else if (key == "date" && x.is_object()) {
            auto part = [&](const char* k) {
                const json::Value* d = x.find(k);
                return d && d->is_number() && std::isfinite(d->as_number()) && std::abs(d->as_number()) < 1e6
                           ? static_cast<int>(d->as_number())
                           : 0;
            };
            char buf[64];
            std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", part("year"), part("month"), part("day"),
                          part("hour"), part("minute"), part("second"));
            md.date = buf;
        } else
            flatten_metadata(x, key, md.extra, 0);
    }
}

}  // namespace nofold::io::detail
