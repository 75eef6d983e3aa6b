"""A rendition decoded and measured packet by packet while it is encoded.

Decoding and metering a finished Opus rendition costs about a fifth of encoding it, and
done after the encode it ran alone at the end of the encode pass: the three encoders are
fed in step, so they finish together and one core idled while the other decoded the
whole hour again. Here the encoder's packets are decoded as they are produced, in the
encoder's thread, so that work shares the cores with the other encoders instead.

It measures exactly what a player decodes from the file: FFmpeg's Opus decoder, given
the encoder's header (its pre-skip) and the same packets, outputs the same samples as
decoding the written Ogg file, followed by the last packet's padding, which the Ogg
granule position trims and so is cut here at the length the encoder was fed (tested
against ``measure_file`` in ``test_audio_pipeline``).
"""

from __future__ import annotations

import av
import numpy as np
import numpy.typing as npt
from av.audio.stream import AudioStream

from ting.media.audio.decode import frame_pcm
from ting.media.audio.loudness import Loudness, LoudnessMeter

F32 = npt.NDArray[np.float32]

# FFmpeg's decoder for each encoder whose raw packets decode as the file does.
DECODERS = {"libopus": "opus"}
# Decoded samples metered at once: the meter's cost is mostly per call at 960 samples.
BATCH_SAMPLES = 65536


class PacketMeter:
    """Decodes ``stream``'s packets as they are produced and meters the programme."""

    def __init__(self, stream: AudioStream, *, rate: int, channels: int) -> None:
        self._stream = stream
        self._rate = rate
        self._channels = channels
        self._decoder: av.AudioCodecContext | None = None
        self._meter = LoudnessMeter(rate, channels)
        self._pending: list[F32] = []
        self._pending_n = 0
        # Samples decoded, and the least the programme holds (what the encoder was fed).
        self._decoded = 0
        self._metered = 0
        self._known = 0

    @staticmethod
    def supports(codec: str) -> bool:
        return codec in DECODERS

    def push(self, packets: list[av.Packet[AudioStream]], fed: int) -> None:
        """Decode ``packets``; ``fed``: samples given to the encoder so far (its rate)."""
        self._known = max(self._known, fed)
        for packet in packets:
            if self._decoder is None:
                self._decoder = self._new_decoder()
            for frame in self._decoder.decode(packet):
                self._keep(frame)
        if self._pending_n >= BATCH_SAMPLES:
            self._flush()

    def close(self, fed: int) -> Loudness:
        """Drain the decoder; the programme is the first ``fed`` samples decoded."""
        self._known = fed
        if self._decoder is not None:
            for frame in self._decoder.decode(None):
                self._keep(frame)
        self._flush()
        self._pending = []
        return self._meter.result()

    def _new_decoder(self) -> av.AudioCodecContext:
        main = self._stream.codec_context
        decoder = av.CodecContext.create(DECODERS[main.name], "r")
        assert isinstance(decoder, av.AudioCodecContext)
        # The header carries the pre-skip: the decoder drops the encoder's priming.
        decoder.extradata = main.extradata
        decoder.sample_rate = main.sample_rate
        decoder.layout = main.layout
        return decoder

    def _keep(self, frame: av.AudioFrame) -> None:
        x = frame_pcm(frame)
        self._pending.append(x)
        self._pending_n += x.shape[-1]
        self._decoded += x.shape[-1]

    def _flush(self) -> None:
        """Meter what is decoded and known to be programme; keep the rest pending."""
        if not self._pending:
            return
        x = self._pending[0] if len(self._pending) == 1 else np.concatenate(self._pending, axis=1)
        usable = max(0, min(x.shape[1], self._known - self._metered))
        if usable:
            self._meter.add(np.ascontiguousarray(x[:, :usable]))
            self._metered += usable
        rest = x[:, usable:]
        self._pending = [rest] if rest.shape[1] else []
        self._pending_n = rest.shape[1]
