"""Contains all the data models used in inputs/outputs"""

from .aspect_ratio import AspectRatio
from .error import Error
from .job import Job
from .job_list import JobList
from .job_result import JobResult
from .job_status import JobStatus
from .nano_banana_2_aspect_ratio import NanoBanana2AspectRatio
from .nano_banana_2_request import NanoBanana2Request
from .nano_banana_pro_request import NanoBananaProRequest
from .nano_banana_request import NanoBananaRequest
from .resolution import Resolution
from .style_image import StyleImage

__all__ = (
    "AspectRatio",
    "Error",
    "Job",
    "JobList",
    "JobResult",
    "JobStatus",
    "NanoBanana2AspectRatio",
    "NanoBanana2Request",
    "NanoBananaProRequest",
    "NanoBananaRequest",
    "Resolution",
    "StyleImage",
)
