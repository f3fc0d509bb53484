from __future__ import annotations

from langchain_core.language_models.fake_chat_models import FakeListChatModel

from retrieval.langchain import GuidelineRetriever, synthesize_answer


def test_retriever_returns_langchain_documents_with_citations(index) -> None:  # type: ignore[no-untyped-def]
    docs = GuidelineRetriever(index=index, k=2).invoke("how do I treat sunburn")

    assert docs and docs[0].metadata["doc_id"] == "sunburn"
    assert docs[0].metadata["source_url"].startswith("https://") and docs[0].page_content


def test_optional_synthesis_uses_the_integrators_model_and_the_passages(index) -> None:  # type: ignore[no-untyped-def]
    # LangChain's own fake chat model stands in for whatever model an integrator configures.
    model = FakeListChatModel(responses=["Cool the skin and drink water [1]."])

    result = synthesize_answer("sunburn care", GuidelineRetriever(index=index, k=2), model)

    assert result["answer"].endswith("[1].") and result["sources"][0]["url"]
