"""Developer tools: what a contributor or a company's platform team runs on a workstation.

``init`` (a new catalog repository from templates/init), ``portal`` and ``portal_landing``
(a silo's partner pages, API and landing on 127.0.0.1 against a local moto server; the
``portal`` extra). Nothing here imports the engine.
"""
