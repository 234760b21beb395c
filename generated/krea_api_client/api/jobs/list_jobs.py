import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.job_list import JobList
from ...models.job_status import JobStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    types: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_cursor: str | Unset = UNSET
    if not isinstance(cursor, Unset):
        json_cursor = cursor.isoformat()
    params["cursor"] = json_cursor

    params["limit"] = limit

    params["types"] = types

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/jobs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | JobList | None:
    if response.status_code == 200:
        response_200 = JobList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | JobList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    cursor: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    types: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
) -> Response[Error | JobList]:
    """List jobs

     List jobs with pagination and filtering. Returns jobs belonging to the authenticated
    user, newest first, a page at a time.

    Args:
        cursor (datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        types (str | Unset):
        status (JobStatus | Unset): The documented job statuses. `x-lifecycle` states the
            documented lifecycle as a graph:
            which status may follow which, which are terminal, and from which a user may cancel.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | JobList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        types=types,
        status=status,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    cursor: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    types: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
) -> Error | JobList | None:
    """List jobs

     List jobs with pagination and filtering. Returns jobs belonging to the authenticated
    user, newest first, a page at a time.

    Args:
        cursor (datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        types (str | Unset):
        status (JobStatus | Unset): The documented job statuses. `x-lifecycle` states the
            documented lifecycle as a graph:
            which status may follow which, which are terminal, and from which a user may cancel.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | JobList
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        types=types,
        status=status,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    cursor: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    types: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
) -> Response[Error | JobList]:
    """List jobs

     List jobs with pagination and filtering. Returns jobs belonging to the authenticated
    user, newest first, a page at a time.

    Args:
        cursor (datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        types (str | Unset):
        status (JobStatus | Unset): The documented job statuses. `x-lifecycle` states the
            documented lifecycle as a graph:
            which status may follow which, which are terminal, and from which a user may cancel.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | JobList]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        types=types,
        status=status,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    cursor: datetime.datetime | Unset = UNSET,
    limit: int | Unset = 100,
    types: str | Unset = UNSET,
    status: JobStatus | Unset = UNSET,
) -> Error | JobList | None:
    """List jobs

     List jobs with pagination and filtering. Returns jobs belonging to the authenticated
    user, newest first, a page at a time.

    Args:
        cursor (datetime.datetime | Unset):
        limit (int | Unset):  Default: 100.
        types (str | Unset):
        status (JobStatus | Unset): The documented job statuses. `x-lifecycle` states the
            documented lifecycle as a graph:
            which status may follow which, which are terminal, and from which a user may cancel.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | JobList
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            types=types,
            status=status,
        )
    ).parsed
