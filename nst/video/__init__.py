"""nst video: a clip styled frame by frame without flicker (Ruder et al., "Artistic style transfer for
videos", GCPR 2016), and how steady each loss leaves it (Lai et al.'s warping error, ECCV 2018).

- clip: probe, read (a cut, at the working size) and write clips (PyAV);
- flow: optical flow (OpenCV's DIS), forward-backward consistency masks, warping;
- steadiness: the warping error;
- settings: the temporal weights and the later frames' start (VideoSettings);
- budget: a cut's time and memory, refused over the limits before any work;
- store: each track's finished frames on disk, for resuming;
- stylize: the frame-by-frame loop as a stream of events (VideoJob);
- artifacts: the side-by-side video, the sheet of sample frames, metrics.json and config.json.

Pure computation and file I/O, as the rest of nst; `nst video` (nst.cli.video) is its shell."""
