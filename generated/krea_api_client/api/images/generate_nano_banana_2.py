from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.job import Job
from ...models.nano_banana_2_request import NanoBanana2Request
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: NanoBanana2Request,
    x_webhook_url: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_webhook_url, Unset):
        headers["X-Webhook-URL"] = x_webhook_url

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/generate/image/google/nano-banana-2",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Error | Job | None:
    if response.status_code == 200:
        response_200 = Job.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 402:
        response_402 = Error.from_dict(response.json())

        return response_402

    if response.status_code == 413:
        response_413 = Error.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Error.from_dict(response.json())

        return response_415

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = Error.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Error | Job]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: NanoBanana2Request,
    x_webhook_url: str | Unset = UNSET,
) -> Response[Error | Job]:
    """Nano Banana 2

     Cheaper quality version of Nano Banana.
    | Resolution | Compute Units |
    |------------|---------------|
    | 1K | 34.4 |
    | 2K | 57.8 |
    | 4K | 86.5 |
    > **Deprecated request fields:**
    >
    > - `imageUrls` -> `image_urls` until 2026-06-19
    > - `aspectRatio` -> `aspect_ratio` until 2026-06-19
    > - `styleImages` -> `style_images` until 2026-06-19
    >
    > Deprecated fields are accepted for compatibility only and are not shown in the request schema.

    Args:
        x_webhook_url (str | Unset):
        body (NanoBanana2Request): The body of a Nano Banana 2 generation request. Properties not
            listed here are rejected.
            The deprecated camelCase aliases (see `x-krea-deprecated-field-aliases` on the operation)
            are
            accepted for compatibility until their sunset date and are not part of this schema.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Job]
    """

    kwargs = _get_kwargs(
        body=body,
        x_webhook_url=x_webhook_url,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: NanoBanana2Request,
    x_webhook_url: str | Unset = UNSET,
) -> Error | Job | None:
    """Nano Banana 2

     Cheaper quality version of Nano Banana.
    | Resolution | Compute Units |
    |------------|---------------|
    | 1K | 34.4 |
    | 2K | 57.8 |
    | 4K | 86.5 |
    > **Deprecated request fields:**
    >
    > - `imageUrls` -> `image_urls` until 2026-06-19
    > - `aspectRatio` -> `aspect_ratio` until 2026-06-19
    > - `styleImages` -> `style_images` until 2026-06-19
    >
    > Deprecated fields are accepted for compatibility only and are not shown in the request schema.

    Args:
        x_webhook_url (str | Unset):
        body (NanoBanana2Request): The body of a Nano Banana 2 generation request. Properties not
            listed here are rejected.
            The deprecated camelCase aliases (see `x-krea-deprecated-field-aliases` on the operation)
            are
            accepted for compatibility until their sunset date and are not part of this schema.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Job
    """

    return sync_detailed(
        client=client,
        body=body,
        x_webhook_url=x_webhook_url,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: NanoBanana2Request,
    x_webhook_url: str | Unset = UNSET,
) -> Response[Error | Job]:
    """Nano Banana 2

     Cheaper quality version of Nano Banana.
    | Resolution | Compute Units |
    |------------|---------------|
    | 1K | 34.4 |
    | 2K | 57.8 |
    | 4K | 86.5 |
    > **Deprecated request fields:**
    >
    > - `imageUrls` -> `image_urls` until 2026-06-19
    > - `aspectRatio` -> `aspect_ratio` until 2026-06-19
    > - `styleImages` -> `style_images` until 2026-06-19
    >
    > Deprecated fields are accepted for compatibility only and are not shown in the request schema.

    Args:
        x_webhook_url (str | Unset):
        body (NanoBanana2Request): The body of a Nano Banana 2 generation request. Properties not
            listed here are rejected.
            The deprecated camelCase aliases (see `x-krea-deprecated-field-aliases` on the operation)
            are
            accepted for compatibility until their sunset date and are not part of this schema.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | Job]
    """

    kwargs = _get_kwargs(
        body=body,
        x_webhook_url=x_webhook_url,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: NanoBanana2Request,
    x_webhook_url: str | Unset = UNSET,
) -> Error | Job | None:
    """Nano Banana 2

     Cheaper quality version of Nano Banana.
    | Resolution | Compute Units |
    |------------|---------------|
    | 1K | 34.4 |
    | 2K | 57.8 |
    | 4K | 86.5 |
    > **Deprecated request fields:**
    >
    > - `imageUrls` -> `image_urls` until 2026-06-19
    > - `aspectRatio` -> `aspect_ratio` until 2026-06-19
    > - `styleImages` -> `style_images` until 2026-06-19
    >
    > Deprecated fields are accepted for compatibility only and are not shown in the request schema.

    Args:
        x_webhook_url (str | Unset):
        body (NanoBanana2Request): The body of a Nano Banana 2 generation request. Properties not
            listed here are rejected.
            The deprecated camelCase aliases (see `x-krea-deprecated-field-aliases` on the operation)
            are
            accepted for compatibility until their sunset date and are not part of this schema.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | Job
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_webhook_url=x_webhook_url,
        )
    ).parsed
