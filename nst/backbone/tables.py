"""A backbone's layers: the Layer type, and the tables of the non-VGG backbones measured from Keras'
models at 299x299 (per layer: forward multiply-adds and activation floats per input pixel up to it;
`nst.backbone.model.measure_costs`, and a test recomputes them). VGG's tables are built, not measured
(nst.backbone.networks)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Layer:
    name: str  # Keras layer name (or a stem alias): block4_conv2, conv4_block6_out, stem_conv1
    block: int  # the resolution stage it belongs to: 1 at stride 1 or 2, then one more per halving
    kind: str  # "conv" (VGG: 3x3, stride 1, ReLU) | "pool" (VGG: 2x2, stride 2) | "block" (anything else)
    channels: int  # output channels
    stride: int  # of its output relative to the input image: 1, 2, 4, ... 32
    macs: float = 0.0  # forward multiply-adds per input pixel up to and including it (0: VGG, counted)
    floats: float = 0.0  # activation floats per input pixel kept up to it for the backward pass (0: VGG)


def table(rows: str) -> tuple[Layer, ...]:
    """Rows 'name block channels stride macs floats', one per line: the measured tables below."""
    table = []
    for row in rows.strip().splitlines():
        name, block, channels, stride, macs, floats = row.split()
        table.append(Layer(name, int(block), "block", int(channels), int(stride), float(macs), float(floats)))
    return tuple(table)


# ResNet50: the stem (conv1, stride 2; pool1, stride 4), then stages conv2..conv5 of 3, 4, 6, 3 bottleneck
# blocks; a block's output is `convN_blockK_out` (after the residual add and its ReLU).
RESNET50 = table("""
conv1_relu 1 64 2 2368 48
pool1_pool 2 64 4 2368 52
conv2_block1_out 2 256 4 7007 173
conv2_block2_out 2 256 4 11388 262
conv2_block3_out 2 256 4 15769 350
conv3_block1_out 3 512 8 21856 412
conv3_block2_out 3 512 8 26354 458
conv3_block3_out 3 512 8 30853 503
conv3_block4_out 3 512 8 35352 549
conv4_block1_out 4 1024 16 41438 580
conv4_block2_out 4 1024 16 45937 603
conv4_block3_out 4 1024 16 50436 625
conv4_block4_out 4 1024 16 54935 648
conv4_block5_out 4 1024 16 59433 671
conv4_block6_out 4 1024 16 63932 694
conv5_block1_out 5 2048 32 70676 711
conv5_block2_out 5 2048 32 75661 723
conv5_block3_out 5 2048 32 80646 736
""")
# InceptionV3: a stem of five convs (stride 2, then 4 after a pool), then mixed0-2 (stride 8), mixed3-7
# (stride 16), mixed8-10 (stride 32). Its 'valid' convs and pools need 75 px to reach mixed10.
INCEPTION_V3 = table("""
stem_conv1 1 32 2 215 24
stem_conv2 1 32 2 2442 47
stem_conv3 1 64 2 6897 93
stem_conv4 2 80 4 7203 112
stem_conv5 2 192 4 14997 144
mixed0 3 256 8 18491 172
mixed1 3 288 8 22280 200
mixed2 3 288 8 26173 228
mixed3 4 768 16 30669 243
mixed4 4 768 16 34853 263
mixed5 4 768 16 40308 284
mixed6 4 768 16 45764 306
mixed7 4 768 16 52675 330
mixed8 5 1280 32 55930 340
mixed9 5 2048 32 59537 350
mixed10 5 2048 32 63883 361
""")
# InceptionResNetV2: the same stem, mixed_5b and ten block35 (stride 8), mixed_6a and twenty block17
# (stride 16), mixed_7a and nine block8 (stride 32), and conv_7b. `_ac` is a block's output after its ReLU.
INCEPTION_RESNET_V2 = table("""
stem_conv1 1 32 2 215 24
stem_conv2 1 32 2 2442 47
stem_conv3 1 64 2 6897 93
stem_conv4 2 80 4 7203 112
stem_conv5 2 192 4 14997 144
mixed_5b 3 320 8 18660 175
block35_1_ac 3 320 8 20336 200
block35_2_ac 3 320 8 22013 225
block35_3_ac 3 320 8 23690 250
block35_4_ac 3 320 8 25366 274
block35_5_ac 3 320 8 27043 299
block35_6_ac 3 320 8 28720 324
block35_7_ac 3 320 8 30397 349
block35_8_ac 3 320 8 32073 374
block35_9_ac 3 320 8 33750 398
block35_10_ac 3 320 8 35427 423
mixed_6a 4 1088 16 51066 456
block17_1_ac 4 1088 16 54701 474
block17_2_ac 4 1088 16 58335 493
block17_3_ac 4 1088 16 61970 511
block17_4_ac 4 1088 16 65605 529
block17_5_ac 4 1088 16 69239 548
block17_6_ac 4 1088 16 72874 566
block17_7_ac 4 1088 16 76508 584
block17_8_ac 4 1088 16 80143 603
block17_9_ac 4 1088 16 83778 621
block17_10_ac 4 1088 16 87412 639
block17_11_ac 4 1088 16 91047 658
block17_12_ac 4 1088 16 94682 676
block17_13_ac 4 1088 16 98316 694
block17_14_ac 4 1088 16 101951 713
block17_15_ac 4 1088 16 105585 731
block17_16_ac 4 1088 16 109220 749
block17_17_ac 4 1088 16 112855 767
block17_18_ac 4 1088 16 116489 786
block17_19_ac 4 1088 16 120124 804
block17_20_ac 4 1088 16 123758 822
mixed_7a 5 2080 32 130307 837
block8_1_ac 5 2080 32 131761 844
block8_2_ac 5 2080 32 133215 850
block8_3_ac 5 2080 32 134670 857
block8_4_ac 5 2080 32 136124 864
block8_5_ac 5 2080 32 137579 870
block8_6_ac 5 2080 32 139033 877
block8_7_ac 5 2080 32 140487 884
block8_8_ac 5 2080 32 141942 890
block8_9_ac 5 2080 32 143396 897
conv_7b_ac 5 1536 32 147138 905
""")
