#!/usr/bin/env python3
"""An independent OPC UA server (FreeOpcUa asyncua) for Jumeau's tests: one Double variable
that counts up every 200 ms and one Boolean, on the given port. Prints READY when serving."""
import asyncio
import sys

from asyncua import Server, ua


async def main(port: int) -> None:
    server = Server()
    await server.init()
    server.set_endpoint(f"opc.tcp://127.0.0.1:{port}/peer/")
    server.set_security_policy([ua.SecurityPolicyType.NoSecurity])
    idx = await server.register_namespace("urn:peer:test")
    obj = await server.nodes.objects.add_object(idx, "Pump")
    flow = await obj.add_variable(ua.NodeId("Flow", idx), "Flow", 0.0)
    running = await obj.add_variable(ua.NodeId("Running", idx), "Running", True)
    async with server:
        print("READY", flush=True)
        n = 0
        while True:
            n += 1
            await flow.write_value(float(n))
            await running.write_value(n % 2 == 0)
            await asyncio.sleep(0.2)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
