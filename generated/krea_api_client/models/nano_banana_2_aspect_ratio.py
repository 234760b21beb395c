from enum import StrEnum


class NanoBanana2AspectRatio(StrEnum):
    RATIO_16_9 = "16:9"
    RATIO_1_1 = "1:1"
    RATIO_1_4 = "1:4"
    RATIO_1_8 = "1:8"
    RATIO_21_9 = "21:9"
    RATIO_2_3 = "2:3"
    RATIO_3_2 = "3:2"
    RATIO_3_4 = "3:4"
    RATIO_4_1 = "4:1"
    RATIO_4_3 = "4:3"
    RATIO_4_5 = "4:5"
    RATIO_5_4 = "5:4"
    RATIO_9_16 = "9:16"

    def __str__(self) -> str:
        return str(self.value)
