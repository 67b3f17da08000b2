"""What researchers explore: the search index, and the queries behind the research pages
(the incident browser, timelines, networks, charts, question forms).

Everything here reads the store through the library; the pages of ``api`` only show
what these modules return, and never write SPARQL of their own.
"""
