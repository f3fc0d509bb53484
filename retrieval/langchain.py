"""LangChain adapter: drop our hybrid index into any LangChain chain as a ``BaseRetriever``.

Answer synthesis with a chat model is optional and off by default: nothing here downloads or
calls a model unless the integrator passes one in.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.language_models import BaseChatModel
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from retrieval.index import HybridIndex

GROUNDED_PROMPT = (
    "Answer the patient's question using ONLY the numbered guideline passages below. "
    "If they do not answer it, say you don't have reliable information. Do not give doses or "
    "instructions the passages do not state. Do not diagnose. Cite passages as [1], [2].\n\n"
    "{passages}\n\nQuestion: {question}"
)


class GuidelineRetriever(BaseRetriever):
    """Ranked guideline passages as LangChain documents, citation fields in ``metadata``."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: HybridIndex
    k: int = 5
    filters: dict[str, str] | None = None
    mode: str = "hybrid"

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[LCDocument]:
        hits = self.index.search(query, k=self.k, filters=self.filters, mode=self.mode)
        documents = []
        for hit in hits:
            metadata: dict[str, Any] = hit.to_dict()
            text = metadata.pop("text")
            documents.append(LCDocument(page_content=text, metadata=metadata))
        return documents


def synthesize_answer(question: str, retriever: GuidelineRetriever, chat_model: BaseChatModel) -> dict[str, Any]:
    """A grounded answer from the integrator's own chat model, with the passages it used."""
    documents = retriever.invoke(question)
    if not documents:
        return {"answer": "I don't have reliable information on that.", "sources": []}
    passages = "\n\n".join(
        f"[{i}] {d.metadata.get('title', '')} — {d.metadata.get('section', '')}\n{d.page_content}"
        for i, d in enumerate(documents, 1)
    )
    message = chat_model.invoke(GROUNDED_PROMPT.format(passages=passages, question=question))
    return {
        "answer": getattr(message, "content", str(message)),
        "sources": [{"title": d.metadata.get("title"), "url": d.metadata.get("source_url")} for d in documents],
    }
