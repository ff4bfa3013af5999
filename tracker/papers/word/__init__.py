"""The Word renderer: a gathered ``BoardPaper`` becomes a .docx.

``render`` assembles the document; ``sections`` and ``registers`` write the paper's sections and
action listings; ``chart_sections``, ``charts`` and ``pictures`` draw the charts (matplotlib)
and place them with their alt text; ``docxml`` builds table rows as XML in bulk, ``widths``
sizes columns from their content and ``furniture`` sets headers, properties and page flow.
"""
