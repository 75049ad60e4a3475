#!/usr/bin/env python3
"""A greedy OPC UA client (FreeOpcUa asyncua, independent of Jumeau): opens sessions on ENDPOINT
until the server refuses one, prints one JSON line {"sessions": N, "refused": "StatusName"},
then holds them until killed (a test kills it with SIGKILL: nothing is closed politely).

Usage: opcua_greedy.py ENDPOINT [MAX]"""
import asyncio
import json
import sys

from asyncua import Client, ua


async def main(url, most):
    clients, refused = [], None
    for _ in range(most):
        client = Client(url, timeout=10)
        try:
            await client.connect()
        except ua.UaStatusCodeError as e:
            refused = type(e).__name__
            break
        except Exception as e:  # a refusal the library words otherwise
            refused = repr(e)
            break
        clients.append(client)
    print(json.dumps({"sessions": len(clients), "refused": refused}), flush=True)
    await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 100))
