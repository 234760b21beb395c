from enum import StrEnum


class Resolution(StrEnum):
    RES_1K = "1K"
    RES_2K = "2K"
    RES_4K = "4K"

    def __str__(self) -> str:
        return str(self.value)
