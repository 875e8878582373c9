"""The Noyo integration: the API contract, the httpx client and the sandbox.

Installed as a Django app only so that ``manage.py noyo_sandbox`` exists; the
client and the contract import nothing from Django.
"""
