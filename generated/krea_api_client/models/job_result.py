from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="JobResult")


@_attrs_define
class JobResult:
    """The outputs of a job. May be empty (`{}`) while the job runs.

    Attributes:
        urls (list[str] | Unset): The output images, set when the job is completed.
        style_id (str | Unset): Present for LoRA-training jobs only.
        error (Any | Unset): Why the job failed (provider error, invalid parameters, content moderation, timeout).
            Its shape is not documented by Krea; the mock sends a string.
    """

    urls: list[str] | Unset = UNSET
    style_id: str | Unset = UNSET
    error: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        urls: list[str] | Unset = UNSET
        if not isinstance(self.urls, Unset):
            urls = self.urls

        style_id = self.style_id

        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if urls is not UNSET:
            field_dict["urls"] = urls
        if style_id is not UNSET:
            field_dict["style_id"] = style_id
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        urls = cast(list[str], d.pop("urls", UNSET))

        style_id = d.pop("style_id", UNSET)

        error = d.pop("error", UNSET)

        job_result = cls(
            urls=urls,
            style_id=style_id,
            error=error,
        )

        job_result.additional_properties = d
        return job_result

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
