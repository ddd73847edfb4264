def test_home_page_renders_for_anonymous_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "MIM Academy" in response.get_data(as_text=True)


def test_learner_signs_in_and_sees_dashboard(learner_client):
    response = learner_client.get("/dashboard")
    assert response.status_code == 200
    assert learner_client.user.name in response.get_data(as_text=True)
