"""Drive a running prax's MCP server with the official `mcp` Python SDK, one scenario per run.

Usage: client.py SCENARIO TARGET API_KEY MODE
  TARGET  the server's /mcp URL, or `stdio:PRAX_BINARY:SERVER_URL` to launch `prax mcp --stdio`
  MODE    auto (the SDK's default negotiation), legacy (2025 handshake) or 2026-07-28
Prints JSON objects, one per line: what the SDK returned or raised, for the Rust test to check.
Scenario `wait_changed` prints {"ready": ...} once subscribed, then waits for the tool list to
change (the test installs a skill meanwhile) and prints the tools after the change.
"""
import json
import sys

import anyio
import httpx2
import mcp_types as types
from mcp import Client, MCPError, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client


def emit(value: dict) -> None:
    print(json.dumps(value), flush=True)


def first_leaf(error: BaseException) -> BaseException:
    """The SDK raises connection-time errors inside nested exception groups."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


def described(error: BaseException) -> dict:
    error = first_leaf(error)
    out = {"raised": type(error).__name__, "message": str(error)}
    if isinstance(error, MCPError):
        out.update(code=error.code, data=error.data)
    return out


def tool_result(result) -> dict:
    return {
        "is_error": bool(result.is_error),
        "text": [c.text for c in result.content if c.type == "text"],
        "structured": result.structured_content,
        "meta": result.meta,
    }


async def call(client: Client, name: str, arguments) -> dict:
    try:
        return tool_result(await client.call_tool(name, arguments))
    except MCPError as error:
        return described(error)


async def tour(client: Client) -> dict:
    listed = await client.list_tools()
    tools = {
        tool.name: {
            "title": tool.title,
            "description": tool.description,
            "input_schema": tool.input_schema,
            "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
        }
        for tool in listed.tools
    }
    return {
        "protocol_version": client.protocol_version,
        "server": client.server_info.name if client.server_info else None,
        "tools": tools,
        "upper": await call(client, "text_manipulation", {"prompt": "mcp works", "operation": "uppercase"}),
        "divide_by_zero": await call(client, "simple_math", {"num1": 1, "num2": 0, "operation": "divide"}),
        "unknown": await call(client, "no_such_tool", {}),
        "denied_capability": await call(client, "offline", {"authority": "127.0.0.1:9", "path": "/"}),
    }


async def wait_changed(client: Client, changed: anyio.Event) -> dict:
    before = sorted(tool.name for tool in (await client.list_tools()).tools)
    if client.protocol_version == "2026-07-28":
        async with client.listen(tools_list_changed=True) as subscription:
            emit({"ready": before, "protocol_version": client.protocol_version})
            with anyio.fail_after(30):
                async for _event in subscription:
                    break
    else:
        emit({"ready": before, "protocol_version": client.protocol_version})
        with anyio.fail_after(30):
            await changed.wait()
    after = sorted(tool.name for tool in (await client.list_tools()).tools)
    return {"before": before, "after": after}


async def scoped(client: Client) -> dict:
    listed = sorted(tool.name for tool in (await client.list_tools()).tools)
    return {
        "tools": listed,
        "allowed": await call(client, "text_manipulation", {"prompt": "ok", "operation": "lowercase"}),
        "outside": await call(client, "echo", {"prompt": "let me in"}),
    }


SCENARIOS = {"tour": tour, "scoped": scoped}


async def run(scenario: str, target: str, key: str, mode: str) -> dict:
    changed = anyio.Event()

    async def on_message(message) -> None:
        if isinstance(message, types.ToolListChangedNotification):
            changed.set()

    options = {"mode": mode, "message_handler": on_message, "read_timeout_seconds": 60}
    if target.startswith("stdio:"):
        _, binary, server_url = target.split(":", 2)
        params = StdioServerParameters(
            command=binary,
            args=["mcp", "--stdio", "--url", server_url],
            env={"PRAXIMOUS_API_KEY": key},
        )
        async with Client(params, **options) as client:
            return await play(scenario, client, changed)
    headers = {"Authorization": f"Bearer {key}"}
    timeout = httpx2.Timeout(30.0, read=300.0)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
        async with Client(streamable_http_client(target, http_client=http), **options) as client:
            return await play(scenario, client, changed)


async def play(scenario: str, client: Client, changed: anyio.Event) -> dict:
    if scenario == "wait_changed":
        return await wait_changed(client, changed)
    return await SCENARIOS[scenario](client)


def main() -> None:
    scenario, target, key, mode = sys.argv[1:5]
    try:
        out = anyio.run(run, scenario, target, key, mode)
    except BaseException as error:  # noqa: BLE001 - the test checks what was raised
        out = described(error)
    emit({"scenario": scenario, **out})


if __name__ == "__main__":
    main()
