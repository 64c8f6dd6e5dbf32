// The smallest nofold host: load a model file, run a mono WAV through it, write the result.
//
//     nofold_embed MODEL.nam IN.wav OUT.wav
//
// What a plugin does, minus the plugin: load on a non-audio thread (here: main), hand the model to a
// nofold::Processor, and call process() with whatever block size the "host" delivers.
#include <cstdio>
#include <vector>

#include <sndfile.h>

#include <nofold/io/load.hpp>
#include <nofold/processor.hpp>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: %s MODEL IN.wav OUT.wav\n", argv[0]);
        return 2;
    }
    SF_INFO info{};
    SNDFILE* in = sf_open(argv[2], SFM_READ, &info);
    if (!in || info.channels != 1) {
        std::fprintf(stderr, "%s: cannot read a mono audio file\n", argv[2]);
        return 1;
    }
    std::vector<float> audio(static_cast<std::size_t>(info.frames));
    sf_readf_float(in, audio.data(), info.frames);
    sf_close(in);

    nofold::io::LoadedModel loaded;
    try {
        nofold::io::LoadOptions options;
        options.host_sample_rate_hz = info.samplerate;  // refuses a model made for another rate
        loaded = nofold::io::load(argv[1], options);
    } catch (const nofold::io::LoadError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    nofold::ProcessorSettings settings;
    settings.sample_rate_hz = info.samplerate;
    nofold::Processor processor(settings);
    processor.submit(loaded.model, {});  // prewarms the model; the audio thread takes it over

    const int block = 256;  // any size works, including 0 and odd sizes
    for (std::size_t i = 0; i < audio.size(); i += block) {
        const int n = static_cast<int>(std::min<std::size_t>(block, audio.size() - i));
        processor.process(audio.data() + i, audio.data() + i, n);  // real-time safe, in place
    }

    SNDFILE* out = sf_open(argv[3], SFM_WRITE, &info);
    if (!out) {
        std::fprintf(stderr, "%s: cannot write\n", argv[3]);
        return 1;
    }
    sf_writef_float(out, audio.data(), info.frames);
    sf_close(out);
    return 0;
}
